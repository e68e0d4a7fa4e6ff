/**
 * The request/reply workload both RPC children run: `concurrency` loops call back to back for `seconds`, each
 * call sends the queue rows' 1 KiB message with a fresh id and checks that the reply is `{ id }`.
 */
import type { LatencySamples } from '../../lib/stats.js';
import { benchMessage } from '../workload.js';

/**
 * Returns how many calls completed; latencies go to `latency` when given (not during the warm-up).
 * @example const calls = await callLoop((message) => client.call(message), 50, 5, latency);
 */
export async function callLoop(
  call: (message: ReturnType<typeof benchMessage>) => Promise<unknown>,
  concurrency: number,
  seconds: number,
  latency?: LatencySamples,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let calls = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const id = next++;
      const sent = performance.now();
      const reply = (await call(benchMessage(id))) as { id?: unknown };
      if (reply.id !== id) throw new Error(`reply ${JSON.stringify(reply)} does not answer call ${id}`);
      latency?.add(performance.now() - sent);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return calls;
}
