/**
 * The cost of operations: the marked resource with metrics and tracing on (the request histogram recorded per
 * request, a no-op server span, `/metrics`, `/healthz` and `/readyz` routes present) beside the same route with
 * both off, in alternating
 * rounds, each server in its own process and the load from another (http/suite.ts's `loadScenarios`).
 */

import { describeFailure, type LoadSample, loadScenarios } from '../http/suite.js';
import { SCENARIOS } from '../http/workload.js';
import { BenchChild } from '../lib/child.js';
import { markdownTable } from '../lib/markdown.js';
import type { Profile } from '../lib/options.js';
import { rotate } from '../lib/rounds.js';
import { median } from '../lib/stats.js';
import { ratioTarget, type TargetCheck } from '../lib/targets.js';

export interface OpsRow {
  readonly variant: 'metrics off' | 'metrics on';
  unavailable?: string;
  readonly samples: LoadSample[];
}

/** @example const rows = await runOpsSuite(profile, console.log); */
export async function runOpsSuite(profile: Profile, log: (line: string) => void): Promise<OpsRow[]> {
  const rows: OpsRow[] = [
    { variant: 'metrics off', samples: [] },
    { variant: 'metrics on', samples: [] },
  ];
  const resource = SCENARIOS.filter((scenario) => scenario.name === 'resource');
  for (let round = 0; round < profile.rounds; round++) {
    for (const row of rotate(rows, round)) {
      if (row.unavailable) continue;
      log(`ops round ${round + 1}/${profile.rounds}: ${row.variant}`);
      const server = BenchChild.startServer('ops/server-child.ts', [row.variant === 'metrics on' ? 'on' : 'off']);
      try {
        const port = await server.ready();
        if (port === undefined) throw new Error('server reported no port');
        const load = {
          connections: profile.httpConnections,
          warmupSeconds: profile.httpWarmupSeconds,
          seconds: profile.httpSeconds,
          generator: profile.httpLoad,
        };
        const [sample] = await loadScenarios(port, resource, load, server);
        if (!sample) throw new Error('no sample');
        row.samples.push(sample);
      } catch (error) {
        row.unavailable = describeFailure(error);
        log(`  ${row.variant}: ${row.unavailable}`);
      } finally {
        await server.stop();
      }
    }
  }
  return rows;
}

const rps = (row: OpsRow | undefined): number =>
  row && !row.unavailable ? median(row.samples.map((sample) => sample.rps)) : Number.NaN;

/** The target: metrics on stays at 0.9 × metrics off or better. */
export function opsTargets(rows: readonly OpsRow[]): TargetCheck[] {
  return [
    ratioTarget('(b) marked resource with metrics and tracing on ≥ 0.90 × both off', rps(rows[1]), rps(rows[0]), 0.9),
  ];
}

/** The section's Markdown. */
export function renderOpsSection(rows: readonly OpsRow[], connections: number): string {
  const table = markdownTable(
    ['variant', 'req/s (median)', 'p99 ms (median)', 'server CPU µs/req (median)'],
    rows.map((row) =>
      row.unavailable
        ? [row.variant, row.unavailable, '', '']
        : [
            row.variant,
            String(Math.round(rps(row))),
            median(row.samples.map((sample) => sample.p99)).toFixed(1),
            median(row.samples.map((sample) => sample.cpuUsPerRequest)).toFixed(0),
          ],
    ),
  );
  return `The marked resource (scenario b) with \`metrics: true\` and \`tracing: true\` (no OpenTelemetry SDK installed) beside the same service with both off, ${connections} connections.\n\n${table}\n`;
}
