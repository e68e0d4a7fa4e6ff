/**
 * The redis:// transport sends the publishes and the acks of one event-loop turn in one script call each
 * (route-batch.ts, settle-batch.ts). A batch must give every message its own outcome, exactly as one call
 * per message did: a missing queue or exchange fails that publish alone, a binary body arrives byte for byte,
 * and an ack after a take-over is refused for that entry alone.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import { ROUTE_MANY } from '../../src/queues/transports/redis/route-batch.js';
import { runScript } from '../../src/queues/transports/redis/scripts.js';
import { SETTLE_MANY } from '../../src/queues/transports/redis/settle-batch.js';
import type { Delivery, Transport } from '../../src/queues/transports/transport.js';
import { redis } from '../helpers/services.js';

const check = await redis();
const prefix = `redis-batch-${randomBytes(3).toString('hex')}:`;
const base = `redis://127.0.0.1:6379/12?prefix=${prefix}`;

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(check.skip)('redis:// batched publishes and acks', () => {
  let raw: Redis;
  const opened: Transport[] = [];

  async function open(): Promise<Transport> {
    const transport = await createRedisTransport(new URL(base));
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

  it('settles each publish of one turn on its own: missing queue, unknown exchange and routed ones mixed', async () => {
    const transport = await open();
    const queue = queueName('mixed');
    const exchange = queueName('fan');
    await transport.declareQueue(queue);
    await transport.declareExchange(exchange, { type: 'fanout' });
    await transport.bindQueue(queue, exchange, '');
    // All in one turn, so they travel in one script call (more than one batch's worth, too).
    const outcomes = await Promise.allSettled(
      Array.from({ length: 45 }, (_, index) => {
        if (index % 3 === 1) return transport.publish({ exchange: '', routingKey: queueName('missing') }, json(index));
        if (index % 9 === 2) return transport.publish({ exchange: queueName('nowhere'), routingKey: 'k' }, json(index));
        if (index % 9 === 5) return transport.publish({ exchange, routingKey: 'any' }, json(index));
        return transport.publish({ exchange: '', routingKey: queue }, json(index));
      }),
    );
    const codes = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? 'ok' : (outcome.reason as { code?: string }).code,
    );
    const expected = Array.from({ length: 45 }, (_, index) => {
      if (index % 3 === 1) return 'MS_QUEUE_UNROUTABLE';
      if (index % 9 === 2) return 'MS_QUEUE_UNKNOWN_EXCHANGE';
      return 'ok';
    });
    expect(codes).toEqual(expected);
    const seen: number[] = [];
    await transport.consume(
      queue,
      (delivery: Delivery) => {
        seen.push(JSON.parse(delivery.body.toString('utf8')) as number);
        void delivery.ack();
      },
      { prefetch: 50 },
    );
    const routed = expected.flatMap((code, index) => (code === 'ok' ? [index] : []));
    await waitFor('every routed message', () => seen.length === routed.length);
    // One connection, one script call after another: the stream keeps the publish order.
    expect(seen).toEqual(routed);
  });

  it('stores binary and text bodies byte for byte', async () => {
    const transport = await open();
    const queue = queueName('bytes');
    await transport.declareQueue(queue);
    const bodies = [
      Buffer.from([0xff, 0xfe, 0x00, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
      Buffer.from('\uFEFFhé 😀', 'utf8'),
      Buffer.alloc(0),
      Buffer.from(JSON.stringify({ a: 'x'.repeat(2000) })),
    ];
    await Promise.all(
      bodies.map((body) => transport.publish({ exchange: '', routingKey: queue }, { body, properties: {} })),
    );
    const got: Buffer[] = [];
    await transport.consume(
      queue,
      (delivery: Delivery) => {
        got.push(delivery.body);
        void delivery.ack();
      },
      { prefetch: 10 },
    );
    await waitFor('every body', () => got.length === bodies.length);
    expect(got.map((body) => body.toString('hex'))).toEqual(bodies.map((body) => body.toString('hex')));
  });

  it("sends the queue client's text as it is, without building the body's bytes", async () => {
    const transport = await open();
    const queue = queueName('text');
    await transport.declareQueue(queue);
    const texts = ['{"a":"é😀"}', 'plain text', ''];
    const messages = texts.map((text) => ({
      text,
      properties: {},
      get body(): Buffer {
        throw new Error('the transport read body although text was given');
      },
    }));
    await Promise.all(messages.map((message) => transport.publish({ exchange: '', routingKey: queue }, message)));
    const got: string[] = [];
    await transport.consume(
      queue,
      (delivery: Delivery) => {
        got.push(delivery.body.toString('hex'));
        void delivery.ack();
      },
      { prefetch: 10 },
    );
    await waitFor('every body', () => got.length === texts.length);
    expect(got).toEqual(texts.map((text) => Buffer.from(text, 'utf8').toString('hex')));
  });

  it('acks a batch with one fenced call: an entry owned by another consumer is refused alone', async () => {
    const stream = `${prefix}q:${queueName('fence')}`;
    await raw.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    const ids = (await Promise.all([1, 2, 3].map((n) => raw.xadd(stream, '*', 'n', String(n))))).map(String);
    await raw.xreadgroup('GROUP', 'g', 'mine', 'COUNT', 2, 'STREAMS', stream, '>');
    await raw.xreadgroup('GROUP', 'g', 'other', 'COUNT', 1, 'STREAMS', stream, '>');
    const results = await runScript(raw, SETTLE_MANY, [stream], ['g', 'mine', ...ids]);
    expect(results).toEqual([1, 1, 0]);
    // The owned two are acked and deleted; the other consumer's entry is still there and pending.
    expect((await raw.xrange(stream, '-', '+')).map(([id]) => id)).toEqual([ids[2]]);
    const pending = (await raw.xpending(stream, 'g')) as [number, ...unknown[]];
    expect(pending[0]).toBe(1);
  });

  it('fences a batch by the range of its ids: any order, pages past other pending entries, odd ids refused', async () => {
    const stream = `${prefix}q:${queueName('range')}`;
    await raw.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    const added = raw.pipeline();
    for (let n = 0; n < 400; n += 1) added.xadd(stream, '*', 'n', String(n));
    const ids = ((await added.exec()) ?? []).map(([, id]) => String(id));
    await raw.xreadgroup('GROUP', 'g', 'mine', 'COUNT', 150, 'STREAMS', stream, '>');
    await raw.xreadgroup('GROUP', 'g', 'other', 'COUNT', 100, 'STREAMS', stream, '>');
    await raw.xreadgroup('GROUP', 'g', 'mine', 'COUNT', 150, 'STREAMS', stream, '>');
    // Out of order, spanning 300 entries of mine and 100 of the other consumer's, with a repeat and two ids
    // that are no stream ids; the page size (ids + 100) is smaller than what lies in the range.
    const batch = [ids[399], ids[0], ids[120], ids[200], ids[0], 'not-an-id', '', ids[260]] as string[];
    const results = await runScript(raw, SETTLE_MANY, [stream], ['g', 'mine', ...batch]);
    expect(results).toEqual([1, 1, 1, 0, 1, 0, 0, 1]);
    const left = new Set((await raw.xrange(stream, '-', '+')).map(([id]) => id));
    expect(left.size).toBe(396);
    for (const id of [ids[399], ids[0], ids[120], ids[260]]) expect(left.has(id as string)).toBe(false);
    const pending = (await raw.xpending(stream, 'g')) as [number, ...unknown[]];
    expect(pending[0]).toBe(396);
  });

  it('acks more deliveries than one batch carries: every ack resolves true once, and the stream ends empty', async () => {
    const transport = await open();
    const queue = queueName('many');
    await transport.declareQueue(queue);
    const count = 250;
    await Promise.all(
      Array.from({ length: count }, (_, index) => transport.publish({ exchange: '', routingKey: queue }, json(index))),
    );
    const acks: Promise<boolean>[] = [];
    const again: Promise<boolean>[] = [];
    await transport.consume(
      queue,
      (delivery: Delivery) => {
        acks.push(delivery.ack());
        again.push(delivery.ack());
      },
      { prefetch: 300 },
    );
    await waitFor('every delivery', () => acks.length === count);
    expect(await Promise.all(acks)).toEqual(Array.from({ length: count }, () => true));
    expect(await Promise.all(again)).toEqual(Array.from({ length: count }, () => false));
    const stream = `${prefix}q:${queue}`;
    expect(await raw.xlen(stream)).toBe(0);
    const pending = (await raw.xpending(stream, 'microservices')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('a batch with entries taken over acks the rest: nothing lost, nothing settled twice', async () => {
    const transport = await open();
    const queue = queueName('takeover');
    await transport.declareQueue(queue);
    await Promise.all(
      Array.from({ length: 10 }, (_, index) => transport.publish({ exchange: '', routingKey: queue }, json(index))),
    );
    const held: Delivery[] = [];
    await transport.consume(queue, (delivery: Delivery) => void held.push(delivery), { prefetch: 10 });
    await waitFor('every delivery', () => held.length === 10);
    const stream = `${prefix}q:${queue}`;
    // Another consumer takes three of them over (as XAUTOCLAIM would after min-idle) before the acks leave.
    const taken = held.filter((_, index) => index % 3 === 0).map((delivery) => delivery.deliveryInfo.deliveryTag);
    await raw.xclaim(stream, 'microservices', 'thief', 0, ...taken, 'JUSTID');
    const results = await Promise.all(held.map((delivery) => delivery.ack()));
    expect(results).toEqual(held.map((delivery) => !taken.includes(delivery.deliveryInfo.deliveryTag)));
    // The taken-over entries are still in the stream and pending on the other consumer, once each.
    expect((await raw.xrange(stream, '-', '+')).map(([id]) => id)).toEqual(taken);
    const rows = (await raw.xpending(stream, 'microservices', '-', '+', 100)) as [string, string][];
    expect(rows.map(([id, owner]) => [id, owner])).toEqual(taken.map((id) => [id, 'thief']));
  });

  it('reports a script error for the one message that raised, not for the batch', async () => {
    const queue = queueName('wrongtype');
    const queuesHash = `${prefix}queues`;
    await raw.hset(queuesHash, queue, '{}', `${queue}-ok`, '{}');
    await raw.set(`${prefix}q:${queue}`, 'not a stream');
    const results = await runScript(
      raw,
      ROUTE_MANY,
      [],
      [queuesHash, `${prefix}q:`, -2, queue, 'b', 'x', -2, `${queue}-ok`, 'b', 'y'],
    );
    expect(Array.isArray(results)).toBe(true);
    const [failed, routed] = results as [unknown, unknown];
    expect(String(failed)).toMatch(/WRONGTYPE/);
    expect(routed).toBe(1);
  });
});
