/**
 * The behaviour every Transport must show, whatever the broker. A transport's test file calls
 * `describeTransportConformance(label, {check, url})` once; see memory.test.ts. Each test uses its own
 * queue and exchange names and deletes them afterwards, so the suite also runs against a shared broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/queues/transports/index.js';
import type {
  Delivery,
  ExchangeType,
  QueueOptions,
  Transport,
  TransportOptions,
} from '../../src/queues/transports/transport.js';
import type { ServiceCheck } from '../helpers/services.js';
import { sleep, uniqueName, waitFor } from './helpers.js';

export interface ConformanceOptions {
  /** Whether the broker is there; use the checks in test/helpers/services.ts. */
  readonly check: () => Promise<ServiceCheck> | ServiceCheck;
  /** The connection URL; called per test, and every transport in one test gets the same URL. */
  readonly url: () => string;
  readonly transportOptions?: TransportOptions;
  /**
   * A URL this broker refuses the login for (a wrong password), to check `MS_QUEUE_ACCESS_REFUSED`. Absent when
   * the broker under test accepts any login; the test is then skipped and says so.
   */
  readonly refusedUrl?: () => string;
  /** Why a publish on this transport cannot time out (it confirms synchronously); skips the timeout test. */
  readonly publishCannotTimeOut?: string;
}

/** Opens transports and declares names for one test, and removes all of it afterwards. */
class Fixture {
  readonly transports: Transport[] = [];
  readonly queues = new Set<string>();
  readonly exchanges = new Set<string>();

  constructor(
    readonly label: string,
    readonly options: ConformanceOptions,
    readonly url: string,
  ) {}

  async open(): Promise<Transport> {
    const transport = await createTransport(this.url, this.options.transportOptions ?? {});
    this.transports.push(transport);
    await transport.connect();
    return transport;
  }

  async queue(transport: Transport, what: string, options: QueueOptions = {}): Promise<string> {
    const name = uniqueName(this.label, what);
    this.queues.add(name);
    await transport.declareQueue(name, options);
    return name;
  }

  async exchange(transport: Transport, what: string, type: ExchangeType): Promise<string> {
    const name = uniqueName(this.label, what);
    this.exchanges.add(name);
    await transport.declareExchange(name, { type });
    return name;
  }

  async cleanup(): Promise<void> {
    const cleaner = await createTransport(this.url, this.options.transportOptions ?? {});
    try {
      await cleaner.connect();
      for (const queue of this.queues) await cleaner.deleteQueue(queue).catch(() => {});
      for (const exchange of this.exchanges) await cleaner.deleteExchange(exchange).catch(() => {});
    } finally {
      await cleaner.close();
      for (const transport of this.transports) await transport.close().catch(() => {});
    }
  }
}

/** Collects deliveries from a consumer for assertions. */
function collect(): { deliveries: Delivery[]; handler: (delivery: Delivery) => void } {
  const deliveries: Delivery[] = [];
  return { deliveries, handler: (delivery) => deliveries.push(delivery) };
}

const json = (value: unknown): { body: Buffer; properties: { contentType: string } } => ({
  body: Buffer.from(JSON.stringify(value)),
  properties: { contentType: 'application/json' },
});

/**
 * Registers the transport conformance tests for one broker.
 * @example describeTransportConformance('memory', { check: () => available, url: () => 'memory://conformance' });
 */
export function describeTransportConformance(label: string, options: ConformanceOptions): void {
  describe(`transport conformance: ${label}`, async () => {
    const check = await options.check();
    // Exchange types are skipped by what the transport says it routes, never by its scheme.
    const requireType = (transport: Transport, type: ExchangeType, skip: (note: string) => void): void => {
      if (!transport.capabilities.exchangeTypes.includes(type)) {
        skip(`${transport.name} does not route ${type} exchanges (capabilities.exchangeTypes)`);
      }
    };
    let fixture: Fixture;
    const setup = (): Fixture => {
      fixture = new Fixture(label, options, options.url());
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
    });

    describe.skipIf(check.skip)('publish and consume', () => {
      it('publish settles once the broker has the message, and the consumer receives it', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'basic');
        await expect(transport.publish({ exchange: '', routingKey: queue }, json({ n: 1 }))).resolves.toBeUndefined();
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 10 });
        await waitFor('one delivery', () => deliveries.length === 1);
        const [delivery] = deliveries as [Delivery];
        expect(JSON.parse(delivery.body.toString())).toEqual({ n: 1 });
        expect(delivery.deliveryCount).toBe(1);
        expect(delivery.deliveryInfo.redelivered).toBe(false);
        expect(delivery.deliveryInfo.routingKey).toBe(queue);
        expect(delivery.deliveryInfo.exchange).toBe('');
        expect(await delivery.ack()).toBe(true);
        expect(delivery.settled).toBe(true);
      });

      it('keeps the publish order for one consumer', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'order');
        for (let i = 0; i < 20; i += 1) await transport.publish({ exchange: '', routingKey: queue }, json(i));
        const { deliveries, handler } = collect();
        await transport.consume(
          queue,
          (d) => {
            handler(d);
            void d.ack();
          },
          { prefetch: 5 },
        );
        await waitFor('20 deliveries', () => deliveries.length === 20);
        expect(deliveries.map((d) => JSON.parse(d.body.toString()))).toEqual([...Array(20).keys()]);
      });

      it('round-trips properties and headers', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'props');
        const properties = {
          contentType: 'application/json',
          contentEncoding: 'utf-8',
          headers: { h1: 'v1', count: 3, nested: { ok: true } },
          messageId: 'message-1',
          correlationId: 'correlation-1',
          replyTo: 'reply-queue',
          priority: 5,
          timestamp: 1_700_000_000_000,
          type: 'example.type',
          appId: 'conformance',
        };
        await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('{}'), properties });
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('one delivery', () => deliveries.length === 1);
        const received = (deliveries[0] as Delivery).properties;
        expect(received).toMatchObject({ ...properties, headers: expect.objectContaining(properties.headers) });
      });

      it('delivers a binary body byte for byte', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'binary');
        const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        await transport.publish(
          { exchange: '', routingKey: queue },
          { body, properties: { contentType: 'application/data', contentEncoding: 'binary' } },
        );
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('one delivery', () => deliveries.length === 1);
        expect(Buffer.compare((deliveries[0] as Delivery).body, body)).toBe(0);
      });

      it('rejects a publish to a queue that does not exist (unroutable)', async () => {
        const f = setup();
        const transport = await f.open();
        await expect(
          transport.publish({ exchange: '', routingKey: uniqueName(label, 'missing') }, json(1)),
        ).rejects.toMatchObject({ code: 'MS_QUEUE_UNROUTABLE' });
      });

      it('rejects a publish to an exchange that does not exist', async () => {
        const f = setup();
        const transport = await f.open();
        await expect(
          transport.publish({ exchange: uniqueName(label, 'no-exchange'), routingKey: 'x' }, json(1)),
        ).rejects.toMatchObject({ code: 'MS_QUEUE_UNKNOWN_EXCHANGE' });
      });

      it('issue 11: rejects properties no broker can carry with MS_QUEUE_UNENCODABLE, and keeps working', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'unencodable');
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        // A BigInt past 64 bits: AMQP carries smaller ones as signed 64-bit integers, JSON-based transports none.
        for (const headers of [{ big: 2n ** 70n }, { circular }]) {
          let publishing: Promise<void> | undefined;
          // Never a synchronous throw: a rejected promise.
          expect(() => {
            publishing = transport.publish(
              { exchange: '', routingKey: queue },
              { body: Buffer.from('x'), properties: { headers } },
            );
          }).not.toThrow();
          await expect(publishing).rejects.toMatchObject({ code: 'MS_QUEUE_UNENCODABLE' });
        }
        await expect(transport.publish({ exchange: '', routingKey: queue }, json(1))).resolves.toBeUndefined();
      });
    });

    describe.skipIf(check.skip)('issue 11: one catalogue code per failure, on every transport', () => {
      it('a publish before connect() rejects with MS_QUEUE_NOT_CONNECTED', async () => {
        const f = setup();
        const transport = await createTransport(f.url, options.transportOptions ?? {});
        f.transports.push(transport);
        await expect(
          transport.publish({ exchange: '', routingKey: uniqueName(label, 'early') }, json(1)),
        ).rejects.toMatchObject({ code: 'MS_QUEUE_NOT_CONNECTED' });
      });

      it('a publish the broker does not confirm within timeoutMs rejects with MS_QUEUE_PUBLISH_TIMEOUT', async ({
        skip,
      }) => {
        if (options.publishCannotTimeOut) skip(options.publishCannotTimeOut);
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'timeout');
        // No broker confirms 900 KB within 1 ms, and every broker here takes a message that size.
        const big = { body: Buffer.alloc(900 * 1024, 1), properties: {} };
        await expect(
          transport.publish({ exchange: '', routingKey: queue }, big, { timeoutMs: 1 }),
        ).rejects.toMatchObject({ code: 'MS_QUEUE_PUBLISH_TIMEOUT' });
      });

      it('a login the broker refuses rejects connect() with MS_QUEUE_ACCESS_REFUSED, without retrying', async ({
        skip,
      }) => {
        if (!options.refusedUrl) {
          skip(`the ${label} broker under test accepts any login: no refusedUrl to check`);
          return;
        }
        const refused = await createTransport(options.refusedUrl(), {
          ...options.transportOptions,
          reconnect: { enabled: true, initialDelayMs: 50, maxDelayMs: 100 },
        });
        try {
          await expect(refused.connect(AbortSignal.timeout(20_000))).rejects.toMatchObject({
            code: 'MS_QUEUE_ACCESS_REFUSED',
          });
        } finally {
          await refused.close();
        }
      });
    });

    describe.skipIf(check.skip)('prefetch, ack and nack', () => {
      it('never holds more unacknowledged deliveries than the prefetch', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'prefetch');
        for (let i = 0; i < 10; i += 1) await transport.publish({ exchange: '', routingKey: queue }, json(i));
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 3 });
        await waitFor('3 deliveries', () => deliveries.length === 3);
        await sleep(300);
        expect(deliveries).toHaveLength(3);
        await (deliveries[0] as Delivery).ack();
        await waitFor('a 4th delivery after one ack', () => deliveries.length === 4);
        await sleep(200);
        expect(deliveries).toHaveLength(4);
      });

      it('an acked message is gone: a new consumer does not get it again', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'acked');
        await transport.publish({ exchange: '', routingKey: queue }, json('once'));
        const first = collect();
        const subscription = await transport.consume(queue, first.handler, { prefetch: 1 });
        await waitFor('the delivery', () => first.deliveries.length === 1);
        expect(await (first.deliveries[0] as Delivery).ack()).toBe(true);
        await subscription.cancel();
        const other = await f.open();
        const second = collect();
        await other.consume(queue, second.handler, { prefetch: 1 });
        await sleep(500);
        expect(second.deliveries).toHaveLength(0);
      });

      it('only the first settlement takes effect; later ones return false', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'settle-once');
        await transport.publish({ exchange: '', routingKey: queue }, json(1));
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('the delivery', () => deliveries.length === 1);
        const delivery = deliveries[0] as Delivery;
        expect(await delivery.ack()).toBe(true);
        expect(await delivery.ack()).toBe(false);
        expect(await delivery.nack({ requeue: true })).toBe(false);
        await sleep(300);
        expect(deliveries).toHaveLength(1);
      });

      it('nack with requeue redelivers with redelivered: true and deliveryCount + 1', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'requeue');
        await transport.publish({ exchange: '', routingKey: queue }, json('again'));
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('the first delivery', () => deliveries.length === 1);
        expect(await (deliveries[0] as Delivery).nack({ requeue: true })).toBe(true);
        await waitFor('the redelivery', () => deliveries.length === 2);
        const again = deliveries[1] as Delivery;
        expect(JSON.parse(again.body.toString())).toBe('again');
        expect(again.deliveryInfo.redelivered).toBe(true);
        expect(again.deliveryCount).toBe(2);
        await again.nack({ requeue: true });
        await waitFor('the third delivery', () => deliveries.length === 3);
        expect((deliveries[2] as Delivery).deliveryCount).toBe(3);
        await (deliveries[2] as Delivery).ack();
      });

      it('nack with delayMs redelivers only after the delay', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'delay');
        await transport.publish({ exchange: '', routingKey: queue }, json('later'));
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('the first delivery', () => deliveries.length === 1);
        const nackedAt = Date.now();
        await (deliveries[0] as Delivery).nack({ requeue: true, delayMs: 1000 });
        await sleep(400);
        expect(deliveries).toHaveLength(1);
        await waitFor('the delayed redelivery', () => deliveries.length === 2);
        expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(900);
        expect((deliveries[1] as Delivery).deliveryCount).toBe(2);
        expect((deliveries[1] as Delivery).deliveryInfo.redelivered).toBe(true);
      });

      it('nack without requeue dead-letters with the extra headers', async () => {
        const f = setup();
        const transport = await f.open();
        const deadLetters = await f.queue(transport, 'dlq');
        const queue = await f.queue(transport, 'with-dlq', { deadLetterQueue: deadLetters });
        await transport.publish(
          { exchange: '', routingKey: queue },
          { body: Buffer.from('"poison"'), properties: { contentType: 'application/json', headers: { keep: 'me' } } },
        );
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('the delivery', () => deliveries.length === 1);
        await (deliveries[0] as Delivery).nack({ requeue: false, headers: { 'x-error': 'boom', 'x-attempts': 4 } });
        const dead = collect();
        await transport.consume(deadLetters, dead.handler, { prefetch: 1 });
        await waitFor('the dead letter', () => dead.deliveries.length === 1);
        const letter = dead.deliveries[0] as Delivery;
        expect(letter.body.toString()).toBe('"poison"');
        expect(letter.properties.headers).toMatchObject({ keep: 'me', 'x-error': 'boom', 'x-attempts': 4 });
        await sleep(200);
        expect(deliveries).toHaveLength(1);
      });

      it('nack without requeue and without a dead-letter queue drops the message', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'drop');
        await transport.publish({ exchange: '', routingKey: queue }, json(1));
        const { deliveries, handler } = collect();
        await transport.consume(queue, handler, { prefetch: 1 });
        await waitFor('the delivery', () => deliveries.length === 1);
        await (deliveries[0] as Delivery).nack({ requeue: false });
        await sleep(500);
        expect(deliveries).toHaveLength(1);
      });

      it('a cancelled subscription gets nothing more', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'cancel');
        const { deliveries, handler } = collect();
        const subscription = await transport.consume(queue, handler, { prefetch: 10 });
        await subscription.cancel();
        await transport.publish({ exchange: '', routingKey: queue }, json(1));
        await sleep(500);
        expect(deliveries).toHaveLength(0);
        expect(await transport.purgeQueue(queue)).toBe(1);
      });

      it('an ack after cancel() still takes effect, also when the transport closes right after', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'ack-after-cancel');
        await transport.publish({ exchange: '', routingKey: queue }, json('done'));
        const { deliveries, handler } = collect();
        const subscription = await transport.consume(queue, handler, { prefetch: 10 });
        await waitFor('the delivery', () => deliveries.length === 1);
        await subscription.cancel();
        expect(await (deliveries[0] as Delivery).ack()).toBe(true);
        await transport.close();
        const other = await f.open();
        await sleep(200);
        expect(await other.purgeQueue(queue)).toBe(0);
      });

      it('unacknowledged deliveries return to the queue when their connection closes', async () => {
        const f = setup();
        const first = await f.open();
        const queue = await f.queue(first, 'close-requeue');
        await first.publish({ exchange: '', routingKey: queue }, json('survives'));
        const held = collect();
        await first.consume(queue, held.handler, { prefetch: 1 });
        await waitFor('the delivery', () => held.deliveries.length === 1);
        await first.close();
        expect(await (held.deliveries[0] as Delivery).ack()).toBe(false);
        const second = await f.open();
        const again = collect();
        await second.consume(queue, again.handler, { prefetch: 1 });
        await waitFor('the redelivery on another connection', () => again.deliveries.length === 1);
        const redelivery = again.deliveries[0] as Delivery;
        expect(JSON.parse(redelivery.body.toString())).toBe('survives');
        expect(redelivery.deliveryInfo.redelivered).toBe(true);
        expect(redelivery.deliveryCount).toBeGreaterThanOrEqual(2);
      });
    });

    describe.skipIf(check.skip)('exchanges', () => {
      const deliverAll = async (transport: Transport, queues: readonly string[]): Promise<Map<string, string[]>> => {
        const seen = new Map<string, string[]>(queues.map((q) => [q, []]));
        for (const queue of queues) {
          await transport.consume(
            queue,
            (d) => {
              seen.get(queue)?.push(JSON.parse(d.body.toString()));
              void d.ack();
            },
            { prefetch: 10 },
          );
        }
        return seen;
      };

      it('direct routes by exact routing key', async ({ skip }) => {
        const f = setup();
        const transport = await f.open();
        requireType(transport, 'direct', skip);
        const exchange = await f.exchange(transport, 'direct', 'direct');
        const one = await f.queue(transport, 'one');
        const two = await f.queue(transport, 'two');
        await transport.bindQueue(one, exchange, 'one');
        await transport.bindQueue(two, exchange, 'two');
        expect(await transport.hasExchange(exchange)).toBe(true);
        const seen = await deliverAll(transport, [one, two]);
        await transport.publish({ exchange, routingKey: 'one' }, json('to-one'));
        await transport.publish({ exchange, routingKey: 'two' }, json('to-two'));
        await expect(transport.publish({ exchange, routingKey: 'three' }, json('nowhere'))).rejects.toMatchObject({
          code: 'MS_QUEUE_UNROUTABLE',
        });
        await waitFor('both deliveries', () => seen.get(one)?.length === 1 && seen.get(two)?.length === 1);
        await sleep(200);
        expect(seen.get(one)).toEqual(['to-one']);
        expect(seen.get(two)).toEqual(['to-two']);
      });

      it('fanout copies to every bound queue', async ({ skip }) => {
        const f = setup();
        const transport = await f.open();
        requireType(transport, 'fanout', skip);
        const exchange = await f.exchange(transport, 'fanout', 'fanout');
        const one = await f.queue(transport, 'one');
        const two = await f.queue(transport, 'two');
        await transport.bindQueue(one, exchange, '');
        await transport.bindQueue(two, exchange, '');
        const seen = await deliverAll(transport, [one, two]);
        await transport.publish({ exchange, routingKey: 'anything' }, json('everyone'));
        await waitFor('both copies', () => seen.get(one)?.length === 1 && seen.get(two)?.length === 1);
        expect(seen.get(one)).toEqual(['everyone']);
        expect(seen.get(two)).toEqual(['everyone']);
      });

      it('topic matches * as one word and # as zero or more', async ({ skip }) => {
        const f = setup();
        const transport = await f.open();
        requireType(transport, 'topic', skip);
        const exchange = await f.exchange(transport, 'topic', 'topic');
        const star = await f.queue(transport, 'star');
        const hash = await f.queue(transport, 'hash');
        await transport.bindQueue(star, exchange, 'a.*');
        await transport.bindQueue(hash, exchange, 'a.#');
        const seen = await deliverAll(transport, [star, hash]);
        for (const key of ['a.b', 'a', 'a.b.c']) await transport.publish({ exchange, routingKey: key }, json(key));
        await expect(transport.publish({ exchange, routingKey: 'b.b' }, json('b.b'))).rejects.toMatchObject({
          code: 'MS_QUEUE_UNROUTABLE',
        });
        await waitFor('4 deliveries', () => (seen.get(star)?.length ?? 0) + (seen.get(hash)?.length ?? 0) === 4);
        await sleep(200);
        expect(seen.get(star)).toEqual(['a.b']);
        expect([...(seen.get(hash) ?? [])].sort()).toEqual(['a', 'a.b', 'a.b.c']);
      });

      it('hasExchange is false for an unknown or deleted exchange', async ({ skip }) => {
        const f = setup();
        const transport = await f.open();
        requireType(transport, 'direct', skip);
        expect(await transport.hasExchange(uniqueName(label, 'never'))).toBe(false);
        const exchange = await f.exchange(transport, 'deleted', 'direct');
        expect(await transport.hasExchange(exchange)).toBe(true);
        await transport.deleteExchange(exchange);
        expect(await transport.hasExchange(exchange)).toBe(false);
      });
    });

    describe.skipIf(check.skip)('queue management and close', () => {
      it('purge removes the ready messages and reports how many', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'purge');
        for (let i = 0; i < 5; i += 1) await transport.publish({ exchange: '', routingKey: queue }, json(i));
        expect(await transport.purgeQueue(queue)).toBe(5);
        expect(await transport.purgeQueue(queue)).toBe(0);
      });

      it('a deleted queue no longer accepts publishes', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'delete');
        await transport.publish({ exchange: '', routingKey: queue }, json(1));
        await transport.deleteQueue(queue);
        await expect(transport.publish({ exchange: '', routingKey: queue }, json(2))).rejects.toMatchObject({
          code: 'MS_QUEUE_UNROUTABLE',
        });
      });

      it('close settles, is idempotent, and later publishes reject', async () => {
        const f = setup();
        const transport = await f.open();
        const queue = await f.queue(transport, 'close');
        expect(transport.connected).toBe(true);
        await expect(transport.close()).resolves.toBeUndefined();
        await expect(transport.close()).resolves.toBeUndefined();
        expect(transport.connected).toBe(false);
        await expect(transport.publish({ exchange: '', routingKey: queue }, json(1))).rejects.toMatchObject({
          code: 'MS_QUEUE_CLOSED',
        });
      });

      it('masks the password in its name', async () => {
        const f = setup();
        const transport = await f.open();
        const url = new URL(f.url);
        if (url.password) expect(transport.name).not.toContain(`:${url.password}@`);
        expect(transport.name.startsWith(`${url.protocol}//`)).toBe(true);
      });
    });
  });
}
