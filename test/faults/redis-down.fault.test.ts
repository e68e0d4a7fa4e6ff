/**
 * RELIABILITY B4 on a dedicated redis-server: with Redis stopped the producer fails fast (no offline queue)
 * and a thousand rejected publishes leave no backlog in memory, while workers keep retrying without
 * throwing and process jobs once Redis is back: one that was consuming before the stop, one that started
 * connecting during it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/internal/backoff.js';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import type { Delivery, Transport, TransportOptions } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { DedicatedRedis, REDIS_SERVER_PATH } from './helpers/redis-server.js';

const check = binary('redis-server', REDIS_SERVER_PATH);
const options: TransportOptions = { reconnect: { initialDelayMs: 100, maxDelayMs: 500 } };

describe.skipIf(check.skip)('B4 redis: producer fails fast, worker waits', () => {
  let server: DedicatedRedis;
  const transports: Transport[] = [];

  async function open(connect = true): Promise<Transport> {
    const transport = await createRedisTransport(new URL(server.url()), options);
    transports.push(transport);
    if (connect) await transport.connect();
    return transport;
  }

  beforeAll(async () => {
    server = await DedicatedRedis.start();
  });

  afterAll(async () => {
    for (const transport of transports) await transport.close();
    await server?.cleanup();
  });

  it('rejects publishes within a second while Redis is down, without piling them up', async () => {
    const producer = await open();
    const earlyWorker = await open();
    await producer.declareQueue('b4-early');
    await producer.declareQueue('b4-late');
    const early: Delivery[] = [];
    await earlyWorker.consume('b4-early', (delivery) => early.push(delivery), { prefetch: 1 });

    await server.stop();
    await until('the producer to notice', () => !producer.connected, 5000);
    const started = Date.now();
    await expect(producer.publish({ exchange: '', routingKey: 'b4-early' }, body('x'))).rejects.toMatchObject({
      code: 'MS_QUEUE_NOT_CONNECTED',
    });
    expect(Date.now() - started).toBeLessThan(1000);
    const heapBefore = process.memoryUsage().heapUsed;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) => producer.publish({ exchange: '', routingKey: 'b4-early' }, body(`x${i}`))),
    );
    const growthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    console.info(`B4: 1000 rejected publishes took ${Date.now() - started} ms, heap growth ${growthMb.toFixed(1)} MB`);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(growthMb).toBeLessThan(10);

    // A worker started while Redis is down keeps trying instead of failing.
    const lateWorker = await open(false);
    let connectError: unknown;
    const connecting = lateWorker.connect().catch((error: unknown) => {
      connectError = error;
    });
    await sleep(1500);
    expect(connectError).toBeUndefined();
    expect(lateWorker.connected).toBe(false);

    await server.start();
    const restartedAt = Date.now();
    await connecting;
    expect(connectError).toBeUndefined();
    const late: Delivery[] = [];
    await lateWorker.consume('b4-late', (delivery) => late.push(delivery), { prefetch: 1 });
    await until('the producer to reconnect', () => producer.connected, 10_000);
    await producer.publish({ exchange: '', routingKey: 'b4-early' }, body('early job'));
    await producer.publish({ exchange: '', routingKey: 'b4-late' }, body('late job'));
    await until('both workers to get their job', () => early.length === 1 && late.length === 1, 15_000);
    console.info(`B4: both jobs processed ${Date.now() - restartedAt} ms after the restart`);
    expect(early[0]?.body.toString()).toBe('early job');
    expect(late[0]?.body.toString()).toBe('late job');
    expect(await early[0]?.ack()).toBe(true);
    expect(await late[0]?.ack()).toBe(true);
  });

  it('closes promptly while Redis is down, even with a consumer holding a delivery', async () => {
    const worker = await open();
    await worker.declareQueue('b4-close');
    await worker.publish({ exchange: '', routingKey: 'b4-close' }, body('held'));
    const held: Delivery[] = [];
    await worker.consume('b4-close', (delivery) => held.push(delivery), { prefetch: 1 });
    await until('the delivery', () => held.length === 1, 10_000);
    await server.stop();
    await until('the worker to notice', () => !worker.connected, 5000);
    const started = Date.now();
    await worker.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await held[0]?.ack()).toBe(false);
    await server.start();
  });
});

function body(text: string): { body: Buffer; properties: Record<string, never> } {
  return { body: Buffer.from(text), properties: {} };
}
