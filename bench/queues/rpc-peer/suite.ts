/**
 * The RPC peer row: Moleculer's `broker.call()` over RabbitMQ (moleculer-rpc-child.ts) at concurrency 1 and
 * 50 (`profile.clientConcurrency`), a fresh process per run, the levels alternating between rounds. A
 * bench function of its own so that the toolkit's `client.queue(name).call()` can be placed beside it.
 */
import { describeFailure } from '../../http/suite.js';
import { runChild } from '../../lib/child.js';
import type { Profile } from '../../lib/options.js';
import { portOpen } from '../../lib/port.js';
import { rotate } from '../../lib/rounds.js';
import { BROKER_SPECS } from '../brokers.js';
import type { RpcPeerResult, RpcPeerSpec } from './moleculer-rpc-child.js';

export interface RpcPeerRow {
  readonly implementation: 'moleculer';
  readonly concurrency: number;
  unavailable?: string;
  readonly samples: RpcPeerResult[];
}

/**
 * Runs Moleculer request/reply over RabbitMQ for each concurrency level and round.
 * @example const rows = await runRpcPeerSuite(profile, console.log);
 */
export async function runRpcPeerSuite(profile: Profile, log: (line: string) => void): Promise<RpcPeerRow[]> {
  const amqp = BROKER_SPECS.amqp;
  const down = amqp.port !== undefined && !(await portOpen(amqp.port)) ? `broker not running on port ${amqp.port}` : '';
  // The quick run only checks that it works: the highest concurrency alone.
  const levels = profile.quick ? profile.clientConcurrency.slice(-1) : profile.clientConcurrency;
  const rows: RpcPeerRow[] = levels.map((concurrency) => ({
    implementation: 'moleculer',
    concurrency,
    samples: [],
    ...(down ? { unavailable: down } : {}),
  }));
  for (let round = 0; round < profile.rounds; round++) {
    for (const row of rotate(rows, round)) {
      if (row.unavailable) continue;
      log(`rpc peers round ${round + 1}/${profile.rounds}: moleculer, concurrency ${row.concurrency}`);
      const spec: RpcPeerSpec = {
        url: amqp.url,
        concurrency: row.concurrency,
        seconds: profile.clientSeconds,
        warmupSeconds: profile.httpWarmupSeconds,
        prefetch: profile.prefetch,
      };
      try {
        const timeoutMs = 90_000 + (spec.seconds + spec.warmupSeconds) * 2000;
        row.samples.push(
          (await runChild(
            'queues/rpc-peer/moleculer-rpc-child.ts',
            [JSON.stringify(spec)],
            timeoutMs,
          )) as RpcPeerResult,
        );
      } catch (error) {
        const failure = describeFailure(error);
        log(`  moleculer rpc c=${row.concurrency}: ${failure}`);
        if (row.samples.length === 0) row.unavailable = failure;
      }
    }
  }
  return rows;
}
