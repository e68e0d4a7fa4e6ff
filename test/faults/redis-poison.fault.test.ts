/**
 * RELIABILITY B2 on a dedicated redis-server: one poison entry among 1000, at most 5 deliveries. The
 * consumer requeues the poison entry until its delivery count reaches 5, then dead-letters it with the
 * error. The count the transport reports must be Redis's own counter (XPENDING), which requeueing does not
 * inflate (the release uses XCLAIM JUSTID; only the claim that redelivers counts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import type { Delivery, Transport } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { DedicatedRedis, REDIS_SERVER_PATH } from './helpers/redis-server.js';

const check = binary('redis-server', REDIS_SERVER_PATH);
const MAX_DELIVERIES = 5;

describe.skipIf(check.skip)('B2 redis: poison entry bounded by the delivery counter', () => {
  let server: DedicatedRedis;
  let raw: Redis;
  let transport: Transport;

  beforeAll(async () => {
    server = await DedicatedRedis.start();
    raw = new Redis({ host: '127.0.0.1', port: server.port });
    transport = await createRedisTransport(new URL(server.url('minIdleMs=5000&claimIntervalMs=200')), {});
    await transport.connect();
  });

  afterAll(async () => {
    await transport?.close();
    raw?.disconnect();
    await server?.cleanup();
  });

  it('dead-letters the poison entry after exactly 5 deliveries and processes the rest once', async () => {
    await transport.declareQueue('b2-dead');
    await transport.declareQueue('b2-jobs', { deadLetterQueue: 'b2-dead' });
    const ids = Array.from({ length: 1000 }, (_, i) => (i === 500 ? 'poison' : `job-${i}`));
    await Promise.all(
      ids.map((id) =>
        transport.publish({ exchange: '', routingKey: 'b2-jobs' }, { body: Buffer.from(id), properties: {} }),
      ),
    );

    const processed: string[] = [];
    const poisonCounts: { reported: number; pending: number }[] = [];
    let deadLettered = false;
    const onPoison = async (delivery: Delivery): Promise<void> => {
      const [row] = (await raw.xpending(
        'ms:q:b2-jobs',
        'microservices',
        delivery.deliveryInfo.deliveryTag,
        '+',
        1,
      )) as [[string, string, number, number]];
      poisonCounts.push({ reported: delivery.deliveryCount, pending: row[3] });
      if (delivery.deliveryCount < MAX_DELIVERIES) {
        await delivery.nack({ requeue: true });
        return;
      }
      deadLettered = await delivery.nack({
        requeue: false,
        headers: { 'x-error': 'poison message', 'x-deliveries': delivery.deliveryCount },
      });
    };
    await transport.consume(
      'b2-jobs',
      (delivery) => {
        const id = delivery.body.toString();
        if (id === 'poison') {
          void onPoison(delivery);
          return;
        }
        processed.push(id);
        void delivery.ack();
      },
      { prefetch: 20 },
    );

    const deadline = Date.now() + 60_000;
    while (!(deadLettered && processed.length >= 999) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(poisonCounts.map((count) => count.reported)).toEqual([1, 2, 3, 4, 5]);
    expect(poisonCounts.map((count) => count.pending)).toEqual([1, 2, 3, 4, 5]);
    expect(deadLettered).toBe(true);
    expect(processed).toHaveLength(999);
    expect(new Set(processed).size).toBe(999);

    const letters = (await raw.xrangeBuffer('ms:q:b2-dead', '-', '+')) as [Buffer, Buffer[]][];
    expect(letters).toHaveLength(1);
    const fields = (letters[0] as [Buffer, Buffer[]])[1].map((field) => field.toString());
    expect(fields[fields.indexOf('b') + 1]).toBe('poison');
    expect(JSON.parse(fields[fields.indexOf('p') + 1] as string).headers).toEqual({
      'x-error': 'poison message',
      'x-deliveries': 5,
    });
    const [pending] = (await raw.xpending('ms:q:b2-jobs', 'microservices')) as [number];
    expect(pending).toBe(0);
    expect(await raw.xlen('ms:q:b2-jobs')).toBe(0);
  });
});
