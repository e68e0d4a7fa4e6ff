/**
 * The RPC rows: the toolkit's `client.queue(name).call()` over RabbitMQ and NATS (toolkit-rpc-child.ts) beside
 * Moleculer's `broker.call()` over the same RabbitMQ (moleculer-rpc-child.ts), at concurrency 1 and 50
 * (`profile.clientConcurrency`), a fresh process per run, the rows alternating between rounds.
 */
import { describeFailure } from '../../http/suite.js';
import { runChild } from '../../lib/child.js';
import type { Profile } from '../../lib/options.js';
import { portOpen } from '../../lib/port.js';
import { rotate } from '../../lib/rounds.js';
import { BROKER_SPECS } from '../brokers.js';
import type { RpcPeerResult } from './moleculer-rpc-child.js';

/** What one row runs. */
export type RpcImplementation = 'toolkit-amqp' | 'toolkit-nats' | 'moleculer';

const IMPLEMENTATIONS: readonly RpcImplementation[] = ['toolkit-amqp', 'moleculer', 'toolkit-nats'];

export interface RpcPeerRow {
  readonly implementation: RpcImplementation;
  readonly concurrency: number;
  unavailable?: string;
  readonly samples: RpcPeerResult[];
}

/**
 * Runs Moleculer request/reply over RabbitMQ for each concurrency level and round.
 * @example const rows = await runRpcPeerSuite(profile, console.log);
 */
export async function runRpcPeerSuite(profile: Profile, log: (line: string) => void): Promise<RpcPeerRow[]> {
  const brokerOf = (implementation: RpcImplementation) =>
    implementation === 'toolkit-nats' ? BROKER_SPECS.nats : BROKER_SPECS.amqp;
  // The quick run only checks that it works: the highest concurrency alone.
  const levels = profile.quick ? profile.clientConcurrency.slice(-1) : profile.clientConcurrency;
  const rows: RpcPeerRow[] = [];
  for (const implementation of IMPLEMENTATIONS) {
    const broker = brokerOf(implementation);
    const down =
      broker.port !== undefined && !(await portOpen(broker.port)) ? `broker not running on port ${broker.port}` : '';
    for (const concurrency of levels) {
      rows.push({ implementation, concurrency, samples: [], ...(down ? { unavailable: down } : {}) });
    }
  }
  for (let round = 0; round < profile.rounds; round++) {
    for (const row of rotate(rows, round)) {
      if (row.unavailable) continue;
      log(`rpc round ${round + 1}/${profile.rounds}: ${row.implementation}, concurrency ${row.concurrency}`);
      const broker = brokerOf(row.implementation);
      const spec = {
        url: broker.url,
        concurrency: row.concurrency,
        seconds: profile.clientSeconds,
        warmupSeconds: profile.httpWarmupSeconds,
        prefetch: profile.prefetch,
        brokerProcess: broker.processName ?? 'beam.smp',
      };
      const child =
        row.implementation === 'moleculer'
          ? 'queues/rpc-peer/moleculer-rpc-child.ts'
          : 'queues/rpc-peer/toolkit-rpc-child.ts';
      try {
        const timeoutMs = 90_000 + (spec.seconds + spec.warmupSeconds) * 2000;
        row.samples.push((await runChild(child, [JSON.stringify(spec)], timeoutMs)) as RpcPeerResult);
      } catch (error) {
        const failure = describeFailure(error);
        log(`  ${row.implementation} rpc c=${row.concurrency}: ${failure}`);
        if (row.samples.length === 0) row.unavailable = failure;
      }
    }
  }
  return rows;
}
