/**
 * The redis:// transport against the shared Redis (db 12, a key prefix per run): takeover of abandoned
 * entries, lease renewal and fencing, dead-letter settings shared through Redis, expiry, topology rules and
 * failing fast. Broker restarts and kills are in test/faults/redis-*.fault.test.ts on a dedicated server.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import { PRUNE_CONSUMERS, runScript } from '../../src/queues/transports/redis/scripts.js';
import type { RedisTransportOptions } from '../../src/queues/transports/redis/settings.js';
import type { Delivery, Transport } from '../../src/queues/transports/transport.js';
import { redis } from '../helpers/services.js';

const check = await redis();
const prefix = `redis-test-${randomBytes(3).toString('hex')}:`;
const base = `redis://127.0.0.1:6379/12?prefix=${prefix}`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.skipIf(check.skip)('redis:// transport', () => {
  let raw: Redis;
  const opened: Transport[] = [];

  async function open(query = '', options: RedisTransportOptions = {}): Promise<Transport> {
    const transport = await createRedisTransport(new URL(`${base}&${query}`), options);
    opened.push(transport);
    await transport.connect();
    return transport;
  }

  const queueName = (what: string): string => `${what}-${randomBytes(3).toString('hex')}`;
  const json = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)), properties: {} });

  beforeAll(() => {
    raw = new Redis({ host: '127.0.0.1', port: 6379, db: 12 });
  });
  afterEach(async () => {
    for (const transport of opened.splice(0)) await transport.close();
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
  });

  it('takes over an entry abandoned in a crashed consumer pending list, counting the delivery', async () => {
    const transport = await open('minIdleMs=300&claimIntervalMs=100');
    const queue = queueName('abandoned');
    await transport.declareQueue(queue);
    await transport.publish({ exchange: '', routingKey: queue }, json('left behind'));
    // A consumer that reads and then dies: the entry stays in its pending list.
    await raw.xreadgroup('GROUP', 'microservices', 'crashed', 'COUNT', 1, 'STREAMS', `${prefix}q:${queue}`, '>');
    const seen: Delivery[] = [];
    await transport.consume(queue, (delivery) => seen.push(delivery), { prefetch: 1 });
    await waitFor('the takeover', () => seen.length === 1);
    const [delivery] = seen as [Delivery];
    expect(JSON.parse(delivery.body.toString())).toBe('left behind');
    expect(delivery.deliveryCount).toBe(2);
    expect(delivery.deliveryInfo.redelivered).toBe(true);
    expect(await delivery.ack()).toBe(true);
    const [pending] = (await raw.xpending(`${prefix}q:${queue}`, 'microservices')) as [number];
    expect(pending).toBe(0);
  });

  /**
   * One message held by a first consumer, and a second consumer on the same queue that claims whatever
   * looks abandoned: the setting of the lease tests below.
   */
  async function heldAndWatched(query: string): Promise<{ held: Delivery; stolen: Delivery[] }> {
    const slow = await open(query);
    const other = await open(query);
    const queue = queueName('lease');
    await slow.declareQueue(queue);
    await slow.publish({ exchange: '', routingKey: queue }, json(1));
    const held: Delivery[] = [];
    const stolen: Delivery[] = [];
    await slow.consume(queue, (delivery) => held.push(delivery), { prefetch: 1 });
    await waitFor('the first delivery', () => held.length === 1);
    await other.consume(queue, (delivery) => stolen.push(delivery), { prefetch: 1 });
    return { held: held[0] as Delivery, stolen };
  }

  it('renews the lease of a slow handler so no other consumer claims it', async () => {
    const { held, stolen } = await heldAndWatched('minIdleMs=600&claimIntervalMs=100&leaseRenewMs=150');
    await sleep(2000);
    expect(stolen).toHaveLength(0);
    expect(await held.ack()).toBe(true);
  });

  it('without renewal the entry is taken over, and the old owner ack is fenced off', async () => {
    const { held, stolen } = await heldAndWatched('minIdleMs=400&claimIntervalMs=100&leaseRenewMs=0');
    await waitFor('the takeover', () => stolen.length === 1);
    expect((stolen[0] as Delivery).deliveryCount).toBe(2);
    expect(await held.ack()).toBe(false);
    expect(await (stolen[0] as Delivery).ack()).toBe(true);
  });

  it('touch() keeps the lease when automatic renewal is off', async () => {
    const { held, stolen } = await heldAndWatched('minIdleMs=500&claimIntervalMs=100&leaseRenewMs=0');
    for (let i = 0; i < 10; i += 1) {
      await held.touch?.();
      await sleep(150);
    }
    expect(stolen).toHaveLength(0);
    expect(await held.ack()).toBe(true);
  });

  it('dead-letters to the queue another process declared, with the error headers', async () => {
    const declarer = await open();
    const queue = queueName('work');
    const dead = queueName('dead');
    await declarer.declareQueue(dead);
    await declarer.declareQueue(queue, { deadLetterQueue: dead });
    await declarer.publish({ exchange: '', routingKey: queue }, json('poison'));
    const worker = await open();
    const seen: Delivery[] = [];
    await worker.consume(queue, (delivery) => seen.push(delivery), { prefetch: 1 });
    await waitFor('the delivery', () => seen.length === 1);
    expect(await (seen[0] as Delivery).nack({ requeue: false, headers: { 'x-error': 'boom' } })).toBe(true);
    const letters = (await raw.xrangeBuffer(`${prefix}q:${dead}`, '-', '+')) as [Buffer, Buffer[]][];
    expect(letters).toHaveLength(1);
    const fields = (letters[0] as [Buffer, Buffer[]])[1].map((field) => field.toString());
    expect(JSON.parse(fields[fields.indexOf('p') + 1] as string).headers).toEqual({ 'x-error': 'boom' });
    expect(await raw.xlen(`${prefix}q:${queue}`)).toBe(0);
  });

  it('routes by bindings another process declared', async () => {
    const declarer = await open();
    const exchange = queueName('orders');
    const queue = queueName('eu-orders');
    await declarer.declareExchange(exchange, { type: 'topic' });
    await declarer.declareQueue(queue);
    await declarer.bindQueue(queue, exchange, 'orders.eu.*');
    const publisher = await open();
    expect(await publisher.hasExchange(exchange)).toBe(true);
    await publisher.publish({ exchange, routingKey: 'orders.eu.created' }, json('routed'));
    await expect(
      publisher.publish({ exchange, routingKey: 'orders.us.created' }, json('nowhere')),
    ).rejects.toMatchObject({
      code: 'MS_QUEUE_UNROUTABLE',
    });
    const seen: Delivery[] = [];
    await declarer.consume(queue, (delivery) => seen.push(delivery), { prefetch: 5 });
    await waitFor('the routed message', () => seen.length === 1);
    expect(seen[0]?.deliveryInfo).toMatchObject({ exchange, routingKey: 'orders.eu.created' });
    await declarer.deleteExchange(exchange);
  });

  it('treats prefetch 0 as no limit', async () => {
    const transport = await open();
    const queue = queueName('unlimited');
    await transport.declareQueue(queue);
    await Promise.all(
      Array.from({ length: 150 }, (_, i) => transport.publish({ exchange: '', routingKey: queue }, json(i))),
    );
    const seen: Delivery[] = [];
    await transport.consume(queue, (delivery) => seen.push(delivery), { prefetch: 0 });
    await waitFor('all 150 unacked at once', () => seen.length === 150);
  });

  it('prunes departed group members that hold nothing, and keeps those with pending entries', async () => {
    const transport = await open();
    const queue = queueName('prune');
    const stream = `${prefix}q:${queue}`;
    await transport.declareQueue(queue);
    await transport.publish({ exchange: '', routingKey: queue }, json(1));
    await raw.call('XGROUP', 'CREATECONSUMER', stream, 'microservices', 'departed');
    await raw.xreadgroup('GROUP', 'microservices', 'busy', 'COUNT', 1, 'STREAMS', stream, '>');
    await sleep(50);
    expect(await runScript(raw, PRUNE_CONSUMERS, [stream], ['microservices', 10])).toBe(1);
    const members = (await raw.call('XINFO', 'CONSUMERS', stream, 'microservices')) as unknown[][];
    expect(members.map((member) => member[member.indexOf('name') + 1])).toEqual(['busy']);
  });

  it('drops an expired message unseen', async () => {
    const transport = await open();
    const queue = queueName('expiry');
    await transport.declareQueue(queue);
    await transport.publish(
      { exchange: '', routingKey: queue },
      { body: Buffer.from('stale'), properties: { expiration: 1 } },
    );
    await transport.publish({ exchange: '', routingKey: queue }, json('fresh'));
    await sleep(20);
    const seen: string[] = [];
    await transport.consume(queue, (delivery) => seen.push(delivery.body.toString()), { prefetch: 5 });
    await waitFor('the fresh message', () => seen.length === 1);
    await sleep(200);
    expect(seen).toEqual(['"fresh"']);
  });

  it('refuses to redeclare an exchange with another type, and unbinds a deleted queue', async () => {
    const transport = await open();
    const exchange = queueName('events');
    const queue = queueName('bound');
    await transport.declareExchange(exchange, { type: 'fanout' });
    await transport.declareExchange(exchange, { type: 'fanout' });
    await expect(transport.declareExchange(exchange, { type: 'topic' })).rejects.toMatchObject({
      code: 'MS_QUEUE_EXCHANGE_MISMATCH',
    });
    await transport.declareQueue(queue);
    await transport.bindQueue(queue, exchange, '');
    await transport.publish({ exchange, routingKey: 'any' }, json(1));
    await transport.deleteQueue(queue);
    await expect(transport.publish({ exchange, routingKey: 'any' }, json(2))).rejects.toMatchObject({
      code: 'MS_QUEUE_UNROUTABLE',
    });
    await expect(transport.bindQueue(queueName('never-declared'), exchange, '')).rejects.toMatchObject({
      code: 'MS_QUEUE_NOT_FOUND',
    });
    await transport.deleteExchange(exchange);
  });

  it('fails fast when not connected, and connect gives up on a dead port when told to', async () => {
    const idle = await createRedisTransport(new URL(base), {});
    opened.push(idle);
    const started = Date.now();
    await expect(idle.publish({ exchange: '', routingKey: 'q' }, json(1))).rejects.toMatchObject({
      code: 'MS_QUEUE_NOT_CONNECTED',
    });
    expect(Date.now() - started).toBeLessThan(1000);
    const nowhere = await createRedisTransport(new URL('redis://127.0.0.1:1/0'), {
      reconnect: { maxAttempts: 1, initialDelayMs: 10 },
    });
    opened.push(nowhere);
    await expect(nowhere.connect()).rejects.toMatchObject({ code: 'MS_QUEUE_CONNECT_FAILED' });
    expect(nowhere.connected).toBe(false);
  });
});
