/**
 * RELIABILITY B5 on a dedicated redis-server: 50 jobs whose handler takes 5 s, min-idle 2 s, two consumers
 * with room for all 50 each, so each one is free to claim the other's entries once they look idle. With the
 * lease renewed every second each job runs exactly once; the negative control (renewal off) shows that the
 * test sees double claims when they happen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/internal/backoff.js';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import type { Transport } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { DedicatedRedis, REDIS_SERVER_PATH } from './helpers/redis-server.js';

const check = binary('redis-server', REDIS_SERVER_PATH);
const JOBS = 50;
const HANDLER_MS = 5000;

interface RunResult {
  readonly executions: number;
  readonly distinct: number;
  readonly takeovers: number;
  readonly fencedAcks: number;
  readonly acked: number;
}

describe.skipIf(check.skip)('B5 redis: lease extension prevents a double claim', () => {
  let server: DedicatedRedis;
  const transports: Transport[] = [];

  beforeAll(async () => {
    server = await DedicatedRedis.start();
  });

  afterAll(async () => {
    for (const transport of transports) await transport.close();
    await server?.cleanup();
  });

  /**
   * Runs 50 slow jobs over two consumers until `done` holds, and reports executions, take-overs and fenced
   * acks.
   */
  async function run(queue: string, leaseRenewMs: number, done: (result: RunResult) => boolean): Promise<RunResult> {
    const url = new URL(server.url(`minIdleMs=2000&claimIntervalMs=250&leaseRenewMs=${leaseRenewMs}`));
    const [first, second] = await Promise.all([createRedisTransport(url, {}), createRedisTransport(url, {})]);
    if (!first || !second) throw new Error('transports not created');
    transports.push(first, second);
    await Promise.all([first.connect(), second.connect()]);
    await first.declareQueue(queue);
    await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        first.publish({ exchange: '', routingKey: queue }, { body: Buffer.from(`job-${i}`), properties: {} }),
      ),
    );
    const executions: string[] = [];
    let takeovers = 0;
    let acked = 0;
    let fencedAcks = 0;
    const snapshot = (): RunResult => ({
      executions: executions.length,
      distinct: new Set(executions).size,
      takeovers,
      fencedAcks,
      acked,
    });
    for (const transport of [first, second]) {
      await transport.consume(
        queue,
        (delivery) => {
          executions.push(delivery.body.toString());
          if (delivery.deliveryCount > 1) takeovers += 1;
          void sleep(HANDLER_MS)
            .then(() => delivery.ack())
            .then((done) => {
              if (done) acked += 1;
              else fencedAcks += 1;
            });
        },
        { prefetch: JOBS },
      );
    }
    const deadline = Date.now() + 60_000;
    while (!done(snapshot()) && Date.now() < deadline) await sleep(100);
    return snapshot();
  }

  it('runs each job exactly once while the lease is renewed every second', async () => {
    // Claims can only happen while an entry is pending, so once all are acked the count is final.
    const result = await run('b5-renewed', 1000, (r) => r.acked === JOBS);
    console.info(`B5 renewed: ${JSON.stringify(result)}`);
    expect(result).toEqual({ executions: JOBS, distinct: JOBS, takeovers: 0, fencedAcks: 0, acked: JOBS });
  });

  it('negative control: without renewal, idle entries are claimed twice', async () => {
    // Without renewal the entries ping-pong between the consumers; stop once the original owners were fenced.
    const result = await run('b5-not-renewed', 0, (r) => r.fencedAcks > 0);
    console.info(`B5 not renewed: ${JSON.stringify(result)}`);
    expect(result.distinct).toBe(JOBS);
    expect(result.executions).toBeGreaterThan(JOBS);
    expect(result.takeovers).toBeGreaterThan(0);
    // The original owner's late ack was refused: it could not remove the entry the other consumer holds.
    expect(result.fencedAcks).toBeGreaterThan(0);
  });
});
