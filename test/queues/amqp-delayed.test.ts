/**
 * Issue 14 part 4 on amqp:// beyond the conformance suite: delay buckets (names, rounding, expiry) and the
 * retry backoff (`nack({requeue: true, delayMs})`) waiting in a bucket on the broker, so that it survives the
 * consumer's process and still waits the whole delay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { delayBucketMs, delayBucketName } from '../../src/queues/transports/amqp/delayed.js';
import { AmqpTransport } from '../../src/queues/transports/amqp/index.js';
import type { Delivery } from '../../src/queues/transports/transport.js';
import { uniqueName, waitFor } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';

const check = await rabbitmq();
const BROKER = new URL(process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/');

describe('amqp delay buckets', () => {
  it('round a delay up to two significant digits, never down', () => {
    expect([5, 99, 100, 600, 1234, 15_000, 123_456].map(delayBucketMs)).toEqual([
      5, 99, 100, 600, 1300, 15_000, 130_000,
    ]);
    for (const delay of [1, 77, 101, 999, 1001, 86_400_001]) expect(delayBucketMs(delay)).toBeGreaterThanOrEqual(delay);
    expect(delayBucketName('jobs', 1300)).toBe('jobs.delay.1300');
  });
});

describe.skipIf(check.skip)('amqp:// delayed requeue on RabbitMQ', () => {
  const transports: AmqpTransport[] = [];
  const queues: string[] = [];
  afterEach(async () => {
    const cleaner = await open();
    for (const queue of queues.splice(0)) await cleaner.deleteQueue(queue).catch(() => undefined);
    for (const transport of transports.splice(0)) await transport.close();
  });

  async function open(): Promise<AmqpTransport> {
    const transport = new AmqpTransport(BROKER, { reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
    transports.push(transport);
    await transport.connect();
    return transport;
  }

  it('a requeue with delayMs waits in a bucket on the broker: it survives the consumer closing, and still waits the delay', async () => {
    const queue = uniqueName('amqp', 'delayed-requeue');
    const delayMs = 1500;
    queues.push(queue, delayBucketName(queue, delayMs));
    const first = await open();
    await first.declareQueue(queue);
    await first.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('retry me'), properties: {} });
    const received: Delivery[] = [];
    await first.consume(queue, (delivery) => received.push(delivery), { prefetch: 1 });
    await waitFor('the first delivery', () => received.length === 1);
    const nackedAt = Date.now();
    expect(await received[0]?.nack({ requeue: true, delayMs })).toBe(true);
    // The consumer's process goes away during the backoff (before this change the wait was a timer here,
    // and the unacked original came straight back on close, without waiting).
    await first.close();
    const second = await open();
    const again: { delivery: Delivery; at: number }[] = [];
    await second.consume(queue, (delivery) => again.push({ delivery, at: Date.now() }), { prefetch: 1 });
    await waitFor('the requeued copy', () => again.length === 1, 10_000);
    expect(again[0]?.delivery.body.toString()).toBe('retry me');
    expect(again[0]?.delivery.deliveryCount).toBe(2);
    expect((again[0]?.at ?? 0) - nackedAt).toBeGreaterThanOrEqual(delayMs - 2);
    await again[0]?.delivery.ack();
  });
});
