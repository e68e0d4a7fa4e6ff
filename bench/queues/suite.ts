/**
 * The queue rows: for each of `profile.queueRounds` rounds and each broker, the raw client, the toolkit and
 * the peer libraries on that broker (rotated order) each run the workload once in a fresh process.
 */
import { describeFailure } from '../http/suite.js';
import { runChild } from '../lib/child.js';
import { mosquittoUnavailable } from '../lib/mosquitto.js';
import type { Profile } from '../lib/options.js';
import { portOpen } from '../lib/port.js';
import { rotate } from '../lib/rounds.js';
import { BROKER_SPECS, BROKERS, type BrokerName, type QueueImplementation } from './brokers.js';
import type { QueueRunResult, QueueRunSpec } from './queue-child.js';

export interface QueueRowResult {
  readonly broker: BrokerName;
  readonly implementation: QueueImplementation;
  readonly messages: number;
  unavailable?: string;
  readonly samples: QueueRunResult[];
  /** Rounds that failed after an earlier round had succeeded (the row keeps its figures and shows these). */
  readonly failedRounds: string[];
}

/**
 * Runs one queue workload in a child process.
 * @example await runQueueChild({ broker: 'memory', implementation: 'toolkit', messages: 1000, window: 100, prefetch: 100, rssSamples: 0 })
 */
export async function runQueueChild(spec: QueueRunSpec): Promise<QueueRunResult> {
  const timeoutMs = 120_000 + spec.messages * 2;
  const dedicated = BROKER_SPECS[spec.broker].dedicated;
  if (!dedicated) return (await runChild('queues/queue-child.ts', [JSON.stringify(spec)], timeoutMs)) as QueueRunResult;
  // A broker of its own for this run alone, always killed afterwards, whatever the run's outcome.
  const broker = await dedicated();
  try {
    const run = { ...spec, url: broker.url };
    return (await runChild('queues/queue-child.ts', [JSON.stringify(run)], timeoutMs)) as QueueRunResult;
  } finally {
    await broker.stop();
  }
}

function unavailability(broker: BrokerName): Promise<string> | string {
  const spec = BROKER_SPECS[broker];
  // So far the only dedicated broker is Mosquitto.
  if (spec.dedicated) return mosquittoUnavailable();
  if (spec.port === undefined) return '';
  return portOpen(spec.port).then((open) => (open ? '' : `broker not running on port ${spec.port}`));
}

/**
 * Runs the queue rows.
 * @example const rows = await runQueueSuite(profile, console.log);
 */
export async function runQueueSuite(profile: Profile, log: (line: string) => void): Promise<QueueRowResult[]> {
  const rows: QueueRowResult[] = [];
  for (const broker of BROKERS) {
    const spec = BROKER_SPECS[broker];
    const messages = spec.url.startsWith('memory:') ? profile.memoryTransportMessages : profile.queueMessages;
    const down = await unavailability(broker);
    const row = (implementation: QueueImplementation): QueueRowResult => ({
      broker,
      implementation,
      messages,
      samples: [],
      failedRounds: [],
      ...(down ? { unavailable: down } : {}),
    });
    if (spec.raw) rows.push(row('raw'));
    if (spec.rawCarrying) rows.push(row('raw-carrying'));
    rows.push(row('toolkit'));
    for (const peer of spec.peers ?? []) rows.push(row(peer.name));
  }
  for (let round = 0; round < profile.queueRounds; round++) {
    for (const broker of BROKERS) {
      for (const row of rotate(
        rows.filter((entry) => entry.broker === broker),
        round,
      )) {
        if (row.unavailable) continue;
        log(`queues round ${round + 1}/${profile.queueRounds}: ${broker} ${row.implementation}`);
        try {
          row.samples.push(
            await runQueueChild({
              broker,
              implementation: row.implementation,
              messages: row.messages,
              window: profile.publishWindow,
              prefetch: profile.prefetch,
              rssSamples: 0,
            }),
          );
        } catch (error) {
          const failure = describeFailure(error);
          log(`  ${broker} ${row.implementation}: ${failure}`);
          if (row.samples.length > 0) row.failedRounds.push(`round ${round + 1} ${failure}`);
          else row.unavailable = failure;
        }
      }
    }
  }
  return rows;
}
