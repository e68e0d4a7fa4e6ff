/**
 * `npm run bench`: measures this toolkit beside what a user would pick instead and beside the raw engine
 * under it, in one run on this machine, and writes BENCHMARKS.md (or `--out <path>`).
 * Sections: HTTP servers, HTTP clients, queues, memory. `--quick` is the CI smoke run (tiny counts, one round,
 * no target checked); `--only http,client` runs a subset; `--rounds N` overrides the number of rounds
 * and `--queue-rounds N` that of the queue section's rows (9 in a full run, never fewer than `--rounds`).
 */
import { writeFileSync } from 'node:fs';
import { clientTargets, renderClientSection } from './client/report.js';
import { runClientSuite } from './client/suite.js';
import { contractsTargets, renderContractsSection } from './contracts/report.js';
import { runContractsSuite } from './contracts/suite.js';
import { renderGeneratorCheck, runGeneratorCheck } from './http/generators.js';
import { httpTargets, renderHttpSection } from './http/report.js';
import { runHttpSuite } from './http/suite.js';
import { describeMachine } from './lib/machine.js';
import { parseBenchOptions } from './lib/options.js';
import { type ReportSection, renderReport } from './lib/report.js';
import type { TargetCheck } from './lib/targets.js';
import { renderMemorySection } from './memory/report.js';
import { runMemorySuite } from './memory/suite.js';
import { opsTargets, renderOpsSection, runOpsSuite } from './ops/suite.js';
import { queueTargets, renderQueueSection } from './queues/report.js';
import { renderRpcPeerSection } from './queues/rpc-peer/report.js';
import { runRpcPeerSuite } from './queues/rpc-peer/suite.js';
import { renderScalingSection } from './queues/scaling/report.js';
import { runScalingSuite } from './queues/scaling/suite.js';
import { runQueueSuite } from './queues/suite.js';

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const { profile } = options;
  const started = Date.now();
  const machine = describeMachine();
  const sections: ReportSection[] = [];
  const targets: TargetCheck[] = [];
  // Rows that broke (not merely "not yet available" or "broker not running"): the run still writes the
  // report, then exits non-zero so the CI smoke run notices.
  const failures: string[] = [];
  const noteFailures = (section: string, rows: readonly { unavailable?: string }[]): void => {
    for (const row of rows) if (row.unavailable?.startsWith('failed')) failures.push(`${section}: ${row.unavailable}`);
  };
  log(
    `${options.command} (${profile.quick ? 'quick' : 'full'} run, ${profile.rounds} round(s), queue rows ${profile.queueRounds})`,
  );

  if (options.sections.includes('http')) {
    const results = await runHttpSuite(profile, log);
    const generators = await runGeneratorCheck(profile, log);
    const load = { generator: profile.httpLoad, note: profile.httpLoadNote };
    const body = [
      renderHttpSection(results, profile.httpConnections, load),
      renderGeneratorCheck(generators, profile.httpConnections),
    ].join('\n');
    sections.push({ title: 'HTTP servers', body });
    targets.push(...httpTargets(results));
    noteFailures('http', results);
    noteFailures('http', generators);
  }

  if (options.sections.includes('client')) {
    const results = await runClientSuite(profile, log);
    sections.push({ title: 'HTTP clients', body: renderClientSection(results, profile.clientConcurrency) });
    targets.push(...clientTargets(results, profile.clientConcurrency));
    noteFailures('client', results);
  }

  if (options.sections.includes('queues')) {
    const rows = await runQueueSuite(profile, log);
    sections.push({ title: 'Queues', body: renderQueueSection(rows, profile.publishWindow, profile.prefetch) });
    targets.push(...queueTargets(rows));
    noteFailures('queues', rows);
    for (const row of rows) failures.push(...row.failedRounds.map((failure) => `queues: ${row.broker} ${failure}`));
  }

  if (options.sections.includes('scaling')) {
    const rows = await runScalingSuite(profile, log);
    sections.push({ title: 'Queue scaling', body: renderScalingSection(rows, profile.prefetch) });
    noteFailures('scaling', rows);
  }

  if (options.sections.includes('rpc-peers')) {
    const rows = await runRpcPeerSuite(profile, log);
    sections.push({ title: 'Queue request/reply', body: renderRpcPeerSection(rows, profile.prefetch) });
    noteFailures('rpc-peers', rows);
  }

  if (options.sections.includes('memory')) {
    const series = await runMemorySuite(profile, log);
    sections.push({ title: 'Memory', body: renderMemorySection(series, profile.quick) });
    noteFailures('memory', series);
  }

  if (options.sections.includes('ops')) {
    const rows = await runOpsSuite(profile, log);
    sections.push({ title: 'Operations cost', body: renderOpsSection(rows, profile.httpConnections) });
    targets.push(...opsTargets(rows));
    noteFailures('ops', rows);
  }

  if (options.sections.includes('contracts')) {
    const rows = await runContractsSuite(profile, log);
    sections.push({ title: 'Contracts', body: renderContractsSection(rows) });
    targets.push(...contractsTargets(rows));
    noteFailures('contracts', rows);
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(options.out, renderReport({ options, machine, sections, targets, seconds }));
  log(`wrote ${options.out} in ${seconds} s`);
  if (failures.length > 0) {
    log(`${failures.length} row(s) failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
