/**
 * RELIABILITY B1 on a dedicated redis-server: 5000 entries, three consumer processes (prefetch 10) in one
 * group, one SIGKILLed every 2 s for 20 s and replaced. Abandoned entries come back through XAUTOCLAIM after
 * min-idle (2 s). Pass: nothing lost, the pending list empty at the end, duplicates bounded by kills × 10,
 * and no entry deleted while pending.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import type { Transport } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { ConsumerProcesses } from './helpers/redis-children.js';
import { DedicatedRedis, REDIS_SERVER_PATH } from './helpers/redis-server.js';

const check = binary('redis-server', REDIS_SERVER_PATH);
const TOTAL = 5000;
const PREFETCH = 10;

describe.skipIf(check.skip)('B1 redis: at-least-once under consumer kills', () => {
  let server: DedicatedRedis;
  let raw: Redis;
  let producer: Transport;
  let consumers: ConsumerProcesses;

  beforeAll(async () => {
    server = await DedicatedRedis.start();
    raw = new Redis({ host: '127.0.0.1', port: server.port });
    producer = await createRedisTransport(new URL(server.url()), {});
    await producer.connect();
  });

  afterAll(async () => {
    await consumers?.killAll();
    await producer?.close();
    raw?.disconnect();
    await server?.cleanup();
  });

  it('loses nothing, empties the pending list and bounds the duplicates', async () => {
    const queue = 'b1-jobs';
    await producer.declareQueue(queue);
    const produced = Array.from({ length: TOTAL }, (_, i) => `b1-${i}`);
    for (let start = 0; start < TOTAL; start += 250) {
      await Promise.all(
        produced
          .slice(start, start + 250)
          .map((id) =>
            producer.publish({ exchange: '', routingKey: queue }, { body: Buffer.from(id), properties: {} }),
          ),
      );
    }
    consumers = new ConsumerProcesses({
      url: server.url('minIdleMs=2000&claimIntervalMs=250'),
      queue,
      ledgerKey: 'b1-ledger',
      prefetch: PREFETCH,
      handlerDelayMs: 100,
    });
    await Promise.all([consumers.start(), consumers.start(), consumers.start()]);

    let kills = 0;
    const restarts: Promise<unknown>[] = [];
    const killUntil = Date.now() + 20_000;
    while (Date.now() < killUntil) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const running = consumers.running;
      const victim = running[Math.floor(Math.random() * running.length)];
      if (!victim) continue;
      await consumers.kill(victim);
      kills += 1;
      restarts.push(consumers.start().catch(() => undefined));
    }
    await Promise.all(restarts);

    const stream = 'ms:q:b1-jobs';
    await until(
      'every entry processed and acked',
      async () => {
        const [pending] = (await raw.xpending(stream, 'microservices')) as [number];
        const distinct = new Set(await raw.lrange('b1-ledger', 0, -1)).size;
        return pending === 0 && distinct === TOTAL;
      },
      90_000,
    );

    const ledger = await raw.lrange('b1-ledger', 0, -1);
    const distinct = new Set(ledger);
    const duplicates = ledger.length - distinct.size;
    console.info(`B1: ${TOTAL} produced, ${ledger.length} processed, ${duplicates} duplicates, ${kills} kills`);
    expect([...distinct].sort()).toEqual([...produced].sort());
    expect(kills).toBeGreaterThanOrEqual(8);
    expect(duplicates).toBeLessThanOrEqual(kills * PREFETCH);
    expect(consumers.warnings.filter((line) => line.includes('were deleted'))).toEqual([]);
    expect(await raw.xlen(stream)).toBe(0);
  }, 180_000);
});
