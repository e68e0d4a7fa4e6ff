/**
 * The HTTP client rows: one fixed node:http server in its own process; each client runs in a fresh process
 * per round (rotated order) at every concurrency level.
 */
import { describeFailure } from '../http/suite.js';
import { BenchChild, runChild } from '../lib/child.js';
import type { Profile } from '../lib/options.js';
import { rotate } from '../lib/rounds.js';
import type { ClientSample } from './client-child.js';
import { CLIENT_IMPLEMENTATIONS, type ClientImplementation } from './clients.js';

export interface ClientResult {
  readonly implementation: ClientImplementation;
  unavailable?: string;
  /** Samples by concurrency level. */
  readonly samples: Map<number, ClientSample[]>;
}

/**
 * Runs the client rows.
 * @example const results = await runClientSuite(profile, console.log);
 */
export async function runClientSuite(profile: Profile, log: (line: string) => void): Promise<ClientResult[]> {
  const results = CLIENT_IMPLEMENTATIONS.map(
    (implementation): ClientResult => ({ implementation, samples: new Map() }),
  );
  const server = BenchChild.start('http/server-child.ts', ['node:http']);
  try {
    const origin = `http://127.0.0.1:${await server.ready()}`;
    for (let round = 0; round < profile.rounds; round++) {
      for (const result of rotate(results, round)) {
        if (result.unavailable) continue;
        log(`client round ${round + 1}/${profile.rounds}: ${result.implementation}`);
        const args = [
          result.implementation,
          origin,
          String(profile.clientSeconds),
          profile.clientConcurrency.join(','),
        ];
        const timeoutMs = 60_000 + profile.clientSeconds * 3000 * profile.clientConcurrency.length;
        try {
          const samples = (await runChild('client/client-child.ts', args, timeoutMs)) as ClientSample[];
          for (const sample of samples) {
            const list = result.samples.get(sample.concurrency) ?? [];
            list.push(sample);
            result.samples.set(sample.concurrency, list);
          }
        } catch (error) {
          result.unavailable = describeFailure(error);
          log(`  ${result.implementation}: ${result.unavailable}`);
        }
      }
    }
  } finally {
    await server.stop();
  }
  return results;
}
