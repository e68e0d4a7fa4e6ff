/**
 * The scaling table: 1, 2 and 4 (`profile.scalingProcesses`) competing consumer processes of the toolkit on one queue, per broker. For
 * each run: N consumer processes connect and declare (`ready()`), a separate process fills the queue with
 * the backlog through the toolkit's client, then all N are told to go at once and the drain is timed from
 * that moment to the last message any of them handled (times comparable across processes). Beside the rate:
 * the consumers' CPU per message, the broker's CPU (from /proc) and the whole machine's busy share over
 * the drain, which say whether the broker or the machine, rather than the toolkit, is the limit.
 */
import { describeFailure } from '../../http/suite.js';
import { brokerCpuMs, machineCpuTicks } from '../../lib/broker-process.js';
import { BenchChild } from '../../lib/child.js';
import type { Profile } from '../../lib/options.js';
import { portOpen } from '../../lib/port.js';
import { rotate } from '../../lib/rounds.js';
import { BROKER_SPECS } from '../brokers.js';
import { type ConsumerReport, preciseNow, type ScalingChildSpec } from './protocol.js';

export const SCALING_BROKERS = ['amqp', 'redis', 'nats'] as const;
export type ScalingBroker = (typeof SCALING_BROKERS)[number];

export interface ScalingSample {
  /** Messages per second drained by all processes together. */
  readonly rate: number;
  /** The consumers' CPU time (all processes) per message, µs. */
  readonly consumerCpuUs: number;
  /** The broker's CPU time over the drain as a share of one core, % (NaN when not visible). */
  readonly brokerCpuPercent: number;
  /** The whole machine's busy share over the drain, % of all cores. */
  readonly machineBusyPercent: number;
  /** How many messages each process handled. */
  readonly perProcess: readonly number[];
}

export interface ScalingRow {
  readonly broker: ScalingBroker;
  readonly processes: number;
  readonly messages: number;
  unavailable?: string;
  readonly samples: ScalingSample[];
}

const STALL_MS = 15_000;

async function waitForTotal(counts: readonly number[], total: number): Promise<void> {
  let last = -1;
  let lastMoved = Date.now();
  for (;;) {
    const sum = counts.reduce((a, b) => a + b, 0);
    if (sum >= total) return;
    if (sum !== last) {
      last = sum;
      lastMoved = Date.now();
    } else if (Date.now() - lastMoved > STALL_MS) {
      throw new Error(`drain stalled at ${sum} of ${total} messages (${counts.join(' + ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One drain: N consumer processes, a filler, the timed drain; every child stopped afterwards.
 * @example await runDrain('redis', 2, 20_000, profile)
 */
export async function runDrain(
  broker: ScalingBroker,
  processes: number,
  messages: number,
  profile: Profile,
): Promise<ScalingSample> {
  const spec = BROKER_SPECS[broker];
  const base = {
    url: spec.url,
    queue: `bench-scale-${broker}-${processes}-${process.pid}-${Date.now()}`,
    messages,
    window: profile.publishWindow,
    prefetch: profile.prefetch,
  };
  const childSpec = (role: ScalingChildSpec['role']): string => JSON.stringify({ ...base, role });
  const script = 'queues/scaling/scaling-child.ts';
  const consumers = Array.from({ length: processes }, () => BenchChild.start(script, [childSpec('consume')]));
  let filler: BenchChild | undefined;
  try {
    await Promise.all(consumers.map((child) => child.ready(60_000)));
    filler = BenchChild.start(script, [childSpec('fill')]);
    await filler.result(120_000 + messages * 2);
    const counts = consumers.map(() => 0);
    const brokerBefore = brokerCpuMs(spec.processName);
    const machineBefore = machineCpuTicks();
    const goAt = preciseNow();
    for (const child of consumers) child.send('go');
    const reports = consumers.map((child, index) =>
      child.result(120_000 + messages * 2, (count) => {
        counts[index] = count;
      }),
    );
    // A child that fails rejects its report: surface that instead of waiting for the stall timeout.
    const failed = Promise.race(reports.map((report) => report.then(() => new Promise<never>(() => {}))));
    await Promise.race([waitForTotal(counts, messages), failed]);
    const seenAt = preciseNow();
    const brokerMs = brokerCpuMs(spec.processName) - brokerBefore;
    const machineAfter = machineCpuTicks();
    for (const child of consumers) child.send('stop');
    const done = (await Promise.all(reports)) as ConsumerReport[];
    const lastAt = Math.max(...done.map((report) => report.lastAt).filter(Number.isFinite));
    const handled = done.reduce((sum, report) => sum + report.count, 0);
    if (handled < messages) throw new Error(`only ${handled} of ${messages} messages handled`);
    filler.send('delete');
    await filler.result(30_000);
    return {
      rate: messages / ((lastAt - goAt) / 1000),
      consumerCpuUs: (done.reduce((sum, report) => sum + report.cpuMs, 0) * 1000) / messages,
      brokerCpuPercent: (brokerMs / (seenAt - goAt)) * 100,
      machineBusyPercent: ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
      perProcess: done.map((report) => report.count),
    };
  } finally {
    await Promise.all([...consumers, ...(filler ? [filler] : [])].map((child) => child.stop()));
  }
}

/**
 * Runs the scaling table: every broker, every process count, `profile.rounds` alternating rounds.
 * @example const rows = await runScalingSuite(profile, console.log);
 */
export async function runScalingSuite(profile: Profile, log: (line: string) => void): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  for (const broker of SCALING_BROKERS) {
    const port = BROKER_SPECS[broker].port;
    const down = port !== undefined && !(await portOpen(port)) ? `broker not running on port ${port}` : '';
    for (const processes of profile.scalingProcesses) {
      rows.push({
        broker,
        processes,
        messages: profile.queueMessages,
        samples: [],
        ...(down ? { unavailable: down } : {}),
      });
    }
  }
  for (let round = 0; round < profile.rounds; round++) {
    for (const broker of SCALING_BROKERS) {
      for (const row of rotate(
        rows.filter((entry) => entry.broker === broker),
        round,
      )) {
        if (row.unavailable) continue;
        log(`scaling round ${round + 1}/${profile.rounds}: ${broker}, ${row.processes} consumer process(es)`);
        try {
          row.samples.push(await runDrain(broker, row.processes, row.messages, profile));
        } catch (error) {
          const failure = describeFailure(error);
          log(`  ${broker} x${row.processes}: ${failure}`);
          if (row.samples.length === 0) row.unavailable = failure;
        }
      }
    }
  }
  return rows;
}
