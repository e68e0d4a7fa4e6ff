/**
 * The queue service and client behaviours, run over any transport URL: decoding of every payload kind,
 * autoack and manual acks, retry then dead-letter, undecodable messages, workers, timeouts and stop().
 * A transport's test file calls `describeServiceConformance(label, {check, url})`; see memory.test.ts.
 */
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Client,
  type ClientOptions,
  DEAD_LETTER_HEADERS,
  type HandlerContext,
  Microservice,
  type MicroserviceOptions,
} from '../../src/queues/index.js';
import { freePort, sleep, uniqueName, waitFor } from './helpers.js';
import type { ConformanceOptions } from './transport-suite.js';

const FAST_RETRY = { maxRetries: 2, backoff: { initialDelayMs: 50, maxDelayMs: 100 } };

/** Services, clients and queue names of one test, all removed afterwards. */
class ServiceFixture {
  readonly services: Microservice[] = [];
  readonly clients: Client[] = [];
  readonly queues = new Set<string>();

  constructor(
    readonly label: string,
    readonly options: ConformanceOptions,
    readonly url: string,
  ) {}

  private connection(): { url: string } {
    return { url: this.url, ...this.options.transportOptions };
  }

  /** A fresh queue name; its dead-letter queue is cleaned up too. */
  name(what: string): string {
    const name = uniqueName(this.label, what);
    this.queues.add(name);
    this.queues.add(`${name}.dead-letter`);
    return name;
  }

  service(options: Omit<MicroserviceOptions, 'connection'> = {}): Microservice {
    const service = new Microservice({ connection: this.connection(), drainTimeout: 5000, ...options });
    this.services.push(service);
    return service;
  }

  client(options: Omit<ClientOptions, 'connection'> = {}): Client {
    const client = new Client({ connection: this.connection(), ...options });
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const service of this.services) await service.stop();
    const cleaner = new Client({ connection: this.connection() });
    for (const queue of this.queues) await cleaner.deleteQueue(queue).catch(() => {});
    await cleaner.close();
    for (const client of this.clients) await client.close().catch(() => {});
  }
}

/**
 * Registers the service and client conformance tests for one broker.
 * @example describeServiceConformance('memory', { check: () => available, url: () => 'memory://conformance' });
 */
export function describeServiceConformance(label: string, options: ConformanceOptions): void {
  describe(`service conformance: ${label}`, async () => {
    const check = await options.check();
    let fixture: ServiceFixture;
    const setup = (): ServiceFixture => {
      fixture = new ServiceFixture(label, options, options.url());
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
    });

    describe.skipIf(check.skip)('payloads', () => {
      it('hands every JSON value to the handler, numbers and null included', async () => {
        const f = setup();
        const queue = f.name('json');
        const app = f.service();
        const received: unknown[] = [];
        app.queue(queue, (payload) => {
          received.push(payload);
        });
        await app.ready();
        const values = [0, 42, -1.5, true, false, null, [1, 'two'], { a: { b: [null] } }, {}];
        const client = f.client();
        for (const value of values) await client.queue(queue).publish(value);
        void app.run();
        await waitFor('every payload', () => received.length === values.length);
        expect(received).toEqual(values);
      });

      it('decodes text to a string and binary to a Buffer, with kombu content types', async () => {
        const f = setup();
        const queue = f.name('kinds');
        const app = f.service();
        const received: Array<{ payload: unknown; type: string | undefined; encoding: string | undefined }> = [];
        app.queue(queue, (payload, context) => {
          received.push({
            payload,
            type: context.message.contentType,
            encoding: context.message.contentEncoding,
          });
        });
        await app.ready();
        const client = f.client();
        const bytes = Buffer.from([0, 1, 254, 255]);
        await client.queue(queue).publish('str');
        await client.queue(queue).publish(bytes);
        await client.queue(queue).publish('');
        void app.run();
        await waitFor('three payloads', () => received.length === 3);
        expect(received[0]).toEqual({ payload: 'str', type: 'text/plain', encoding: 'utf-8' });
        expect(Buffer.isBuffer(received[1]?.payload)).toBe(true);
        expect(Buffer.compare(received[1]?.payload as Buffer, bytes)).toBe(0);
        expect(received[1]).toMatchObject({ type: 'application/data', encoding: 'binary' });
        expect(received[2]?.payload).toBe('');
      });

      it('passes headers and priority through, and exposes the delivery to the handler', async () => {
        const f = setup();
        const queue = f.name('props');
        const app = f.service();
        let seen: HandlerContext | undefined;
        app.queue(queue, (_payload, context) => {
          seen = context;
        });
        await app.ready();
        await f.client().publishToQueue(queue, { a: 1 }, { headers: { h1: 'v1' }, priority: 5 });
        void app.run();
        await waitFor('the message', () => seen !== undefined);
        const context = seen as HandlerContext;
        expect(context.message.headers).toMatchObject({ h1: 'v1' });
        expect(context.message.properties.priority).toBe(5);
        expect(context.message.payload).toEqual({ a: 1 });
        expect(JSON.parse(context.message.body.toString())).toEqual({ a: 1 });
        expect(context.message.deliveryInfo.routingKey).toBe(queue);
        expect(context.message.redelivered).toBe(false);
        expect(context.rule.name).toBe(queue);
        expect(String(context.rule)).toBe(`<queue: ${queue}>`);
        expect(context.attempt).toBe(1);
        expect(context.signal.aborted).toBe(false);
        await waitFor('the autoack', () => context.message.acknowledged);
      });

      it('dead-letters an undecodable payload at once, without calling the handler', async () => {
        const f = setup();
        const queue = f.name('undecodable');
        const app = f.service({ retry: FAST_RETRY });
        let calls = 0;
        app.queue(queue, () => {
          calls += 1;
        });
        const dead: HandlerContext[] = [];
        app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false, raw: true });
        await app.ready();
        await f.client().publishToQueue(queue, Buffer.from('{not json'), { contentType: 'application/json' });
        void app.run();
        await waitFor('the dead letter', () => dead.length === 1);
        expect(calls).toBe(0);
        const headers = (dead[0] as HandlerContext).message.headers;
        expect(headers[DEAD_LETTER_HEADERS.reason]).toBe('undecodable');
        expect(headers[DEAD_LETTER_HEADERS.attempts]).toBe(1);
        expect(String(headers[DEAD_LETTER_HEADERS.error])).toMatch(/JSON/);
        expect((dead[0] as HandlerContext).message.body.toString()).toBe('{not json');
      });
    });

    describe.skipIf(check.skip)('kombu charsets and compression (issue 10 items 9, 10)', () => {
      it('decodes zlib-compressed JSON and UTF-16 text; dead-letters invalid UTF-8 and bzip2 with the reason', async () => {
        const f = setup();
        const queue = f.name('kombu-bodies');
        const app = f.service({ retry: { maxRetries: 0 } });
        const got: unknown[] = [];
        app.queue(queue, (payload) => void got.push(payload));
        const dead: HandlerContext[] = [];
        app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false, raw: true });
        await app.ready();
        const client = f.client();
        const zlibBody = deflateSync(Buffer.from(JSON.stringify({ task: 'add', args: [1, 2] })));
        await client.publishToQueue(queue, zlibBody, {
          contentType: 'application/json',
          contentEncoding: 'utf-8',
          headers: { compression: 'application/x-gzip' },
        });
        await client.publishToQueue(queue, Buffer.from('héllo', 'utf16le'), {
          contentType: 'text/plain',
          contentEncoding: 'utf-16le',
        });
        await client.publishToQueue(queue, Buffer.from([0x22, 0xff, 0x22]), {
          contentType: 'application/json',
          contentEncoding: 'utf-8',
        });
        await client.publishToQueue(queue, Buffer.from('BZh9'), {
          contentType: 'application/json',
          headers: { compression: 'application/x-bz2' },
        });
        void app.run();
        await waitFor('two handled and two dead letters', () => got.length === 2 && dead.length === 2);
        expect(got).toEqual([{ task: 'add', args: [1, 2] }, 'héllo']);
        const errors = dead.map((context) => String(context.message.headers[DEAD_LETTER_HEADERS.error]));
        expect(errors.some((error) => /bzip2 compression .* not supported/.test(error))).toBe(true);
        expect(errors.some((error) => /not valid utf-8/.test(error))).toBe(true);
        for (const context of dead) expect(context.message.headers[DEAD_LETTER_HEADERS.reason]).toBe('undecodable');
      });
    });

    describe.skipIf(check.skip)('acknowledgement', () => {
      it('autoack acks after success: a second service on the queue gets nothing', async () => {
        const f = setup();
        const queue = f.name('autoack');
        const first = f.service();
        const handled: unknown[] = [];
        first.queue(queue, (payload) => void handled.push(payload));
        await first.ready();
        const client = f.client();
        for (let i = 0; i < 5; i += 1) await client.queue(queue).publish(i);
        void first.run();
        await waitFor('5 messages', () => handled.length === 5);
        await first.stop();
        const second = f.service();
        const again: unknown[] = [];
        second.queue(queue, (payload) => void again.push(payload));
        void second.run();
        await sleep(500);
        expect(again).toEqual([]);
      });

      it('an explicit ack inside an autoack handler is not an error', async () => {
        const f = setup();
        const queue = f.name('double-ack');
        const app = f.service({ retry: FAST_RETRY });
        const results: boolean[] = [];
        app.queue(queue, async (_payload, context) => {
          results.push(await context.message.ack());
        });
        await app.ready();
        await f.client().queue(queue).publish('x');
        void app.run();
        await waitFor('the handler', () => results.length === 1);
        await sleep(400);
        expect(results).toEqual([true]);
      });

      it('manual mode: requeue() redelivers, reject() dead-letters, ack() removes', async () => {
        const f = setup();
        const queue = f.name('manual');
        const app = f.service();
        const seen: Array<{ payload: unknown; redelivered: boolean }> = [];
        app.queue(
          queue,
          async (payload, context) => {
            seen.push({ payload, redelivered: context.message.redelivered });
            if (payload === 'requeue' && !context.message.redelivered) await context.message.requeue();
            else if (payload === 'reject') await context.message.reject();
            else await context.message.ack();
          },
          { autoack: false },
        );
        const dead: unknown[] = [];
        app.queue(`${queue}.dead-letter`, (payload) => void dead.push(payload), { deadLetter: false });
        await app.ready();
        const client = f.client();
        await client.queue(queue).publish('requeue');
        await client.queue(queue).publish('reject');
        void app.run();
        await waitFor('the dead letter and the redelivery', () => dead.length === 1 && seen.length === 3);
        expect(dead).toEqual(['reject']);
        expect(seen).toContainEqual({ payload: 'requeue', redelivered: false });
        expect(seen).toContainEqual({ payload: 'requeue', redelivered: true });
        await sleep(300);
        expect(seen).toHaveLength(3);
      });
    });

    describe.skipIf(check.skip)('failures', () => {
      it('retries a failing handler with backoff, then dead-letters it with the error in headers', async () => {
        const f = setup();
        const queue = f.name('retry');
        const app = f.service({ retry: FAST_RETRY });
        const attempts: number[] = [];
        app.queue(queue, (_payload, context) => {
          attempts.push(context.attempt);
          throw new TypeError('handler broke');
        });
        const dead: HandlerContext[] = [];
        app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false });
        await app.ready();
        await f.client().queue(queue).publish({ job: 1 });
        void app.run();
        await waitFor('the dead letter', () => dead.length === 1);
        expect(attempts).toEqual([1, 2, 3]);
        const letter = dead[0] as HandlerContext;
        // Issue 10 item 8: the copy starts counting afresh; the history is in x-attempts.
        expect(letter.attempt).toBe(1);
        expect(letter.message.headers['x-ms-delivery-count']).toBeUndefined();
        expect(letter.message.payload).toEqual({ job: 1 });
        expect(letter.message.headers).toMatchObject({
          [DEAD_LETTER_HEADERS.error]: 'handler broke',
          [DEAD_LETTER_HEADERS.errorName]: 'TypeError',
          [DEAD_LETTER_HEADERS.attempts]: 3,
          [DEAD_LETTER_HEADERS.reason]: 'handler-error',
          [DEAD_LETTER_HEADERS.queue]: queue,
        });
        await sleep(300);
        expect(attempts).toHaveLength(3);
      });

      it('issue 10 item 8: a service consuming a dead-letter queue gets its own retries', async () => {
        const f = setup();
        const queue = f.name('dead-retry');
        const app = f.service({ retry: FAST_RETRY });
        app.queue(queue, () => {
          throw new Error('always');
        });
        const deadAttempts: number[] = [];
        app.queue(
          `${queue}.dead-letter`,
          (_p, context) => {
            deadAttempts.push(context.attempt);
            if (context.attempt === 1) throw new Error('the dead-letter handler fails once');
          },
          { deadLetter: false },
        );
        await app.ready();
        await f.client().queue(queue).publish('poison');
        void app.run();
        await waitFor('the dead-letter handler to succeed on its retry', () => deadAttempts.length === 2);
        expect(deadAttempts).toEqual([1, 2]);
      });

      it('issue 10 item 6: a handler rejecting with anything is dead-lettered, never crashes the process', async () => {
        const f = setup();
        const queue = f.name('odd-errors');
        const app = f.service({ retry: { maxRetries: 0 } });
        const unreadable = new Error('hidden');
        Object.defineProperty(unreadable, 'message', {
          get() {
            throw new Error('message getter throws');
          },
        });
        const hostile = new Proxy(
          {},
          {
            get() {
              throw new Error('get trap');
            },
            getPrototypeOf() {
              throw new Error('prototype trap');
            },
          },
        );
        const failures: unknown[] = [
          Object.create(null),
          unreadable,
          'a thrown string',
          Symbol('sym'),
          hostile,
          new Error('x'.repeat(2_000_000)),
        ];
        app.queue(queue, (payload) => Promise.reject(failures[payload as number]));
        const dead: HandlerContext[] = [];
        app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false, raw: true });
        await app.ready();
        const client = f.client();
        for (let index = 0; index < failures.length; index += 1) await client.queue(queue).publish(index);
        void app.run();
        await waitFor('every failure dead-lettered', () => dead.length === failures.length, 20_000);
        const byIndex = new Map(
          dead.map((context) => [Number(context.message.body.toString()), context.message.headers]),
        );
        expect(byIndex.get(2)?.[DEAD_LETTER_HEADERS.error]).toBe('a thrown string');
        expect(byIndex.get(3)?.[DEAD_LETTER_HEADERS.error]).toBe('Symbol(sym)');
        expect(byIndex.get(3)?.[DEAD_LETTER_HEADERS.errorName]).toBe('symbol');
        for (const headers of byIndex.values()) {
          expect(headers[DEAD_LETTER_HEADERS.reason]).toBe('handler-error');
          expect(String(headers[DEAD_LETTER_HEADERS.error]).length).toBeLessThan(5000);
        }
      });

      it('a handler that fails once and then succeeds is acked, and the other messages keep flowing', async () => {
        const f = setup();
        const queue = f.name('flaky');
        const app = f.service({ retry: FAST_RETRY });
        const done: unknown[] = [];
        app.queue(queue, async (payload, context) => {
          if (payload === 'flaky' && context.attempt === 1) throw new Error('first try fails');
          done.push(payload);
        });
        await app.ready();
        const client = f.client();
        await client.queue(queue).publish('flaky');
        await client.queue(queue).publish('steady');
        void app.run();
        await waitFor('both handled', () => done.length === 2);
        expect([...done].sort()).toEqual(['flaky', 'steady']);
      });

      it('a handler over its timeoutMs is aborted through context.signal and counts as a failure', async () => {
        const f = setup();
        const queue = f.name('timeout');
        const app = f.service({ retry: { maxRetries: 0 } });
        const aborted: unknown[] = [];
        app.queue(
          queue,
          (_payload, context) =>
            new Promise<void>((_resolve, reject) => {
              context.signal.addEventListener('abort', () => {
                aborted.push(context.signal.reason);
                reject(context.signal.reason);
              });
            }),
          { timeoutMs: 200 },
        );
        const dead: HandlerContext[] = [];
        app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false });
        await app.ready();
        await f.client().queue(queue).publish('slow');
        void app.run();
        await waitFor('the dead letter', () => dead.length === 1);
        expect(aborted).toHaveLength(1);
        expect((dead[0] as HandlerContext).message.headers[DEAD_LETTER_HEADERS.reason]).toBe('timeout');
      });
    });

    describe.skipIf(check.skip)('workers and stop', () => {
      it('workers: N runs N handlers at once and no more', async () => {
        const f = setup();
        const queue = f.name('workers');
        const app = f.service({ workers: 3 });
        let running = 0;
        let peak = 0;
        let finished = 0;
        app.queue(queue, async () => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(150);
          running -= 1;
          finished += 1;
        });
        await app.ready();
        const client = f.client();
        for (let i = 0; i < 9; i += 1) await client.queue(queue).publish(i);
        void app.run();
        await waitFor('9 handled', () => finished === 9);
        expect(peak).toBe(3);
      });

      it('issue 10 item 12: a timed-out handler that ignores its signal keeps its worker slot until it ends', async () => {
        const f = setup();
        const queue = f.name('timeout-slots');
        const app = f.service({ workers: 2, retry: { maxRetries: 0 } });
        let running = 0;
        let peak = 0;
        let finished = 0;
        app.queue(
          queue,
          async () => {
            running += 1;
            peak = Math.max(peak, running);
            await sleep(400); // ignores context.signal
            running -= 1;
            finished += 1;
          },
          { timeoutMs: 50 },
        );
        app.queue(`${queue}.dead-letter`, () => {}, { deadLetter: false });
        await app.ready();
        const client = f.client();
        for (let i = 0; i < 6; i += 1) await client.queue(queue).publish(i);
        void app.run();
        await waitFor('6 handlers ended', () => finished === 6, 20_000);
        expect(peak).toBe(2);
      });

      it('stop() lets a running handler finish, acks it, and run() resolves', async () => {
        const f = setup();
        const queue = f.name('drain');
        const app = f.service();
        let started = false;
        let finished = false;
        app.queue(queue, async () => {
          started = true;
          await sleep(400);
          finished = true;
        });
        await app.ready();
        await f.client().queue(queue).publish('work');
        const running = app.run();
        await waitFor('the handler to start', () => started);
        await app.stop();
        expect(finished).toBe(true);
        expect(app.stopped).toBe(true);
        await expect(running).resolves.toBeUndefined();
        const next = f.service();
        const again: unknown[] = [];
        next.queue(queue, (payload) => void again.push(payload));
        void next.run();
        await sleep(500);
        expect(again).toEqual([]);
      });

      it('stop() before run() works, and run() then resolves at once', async () => {
        const f = setup();
        const app = f.service();
        app.queue(f.name('early-stop'), () => {});
        await app.stop();
        expect(app.stopped).toBe(true);
        await expect(app.run()).resolves.toBeUndefined();
      });
    });

    describe.skipIf(check.skip)('client', () => {
      it('routes through declared exchanges and refuses an exchange never declared', async () => {
        const f = setup();
        const one = f.name('one');
        const two = f.name('two');
        const exchange = uniqueName(label, 'input');
        const client = f.client();
        await client.declareExchange(exchange, {
          type: 'direct',
          queues: [
            [one, 'one'],
            [two, 'two'],
          ],
        });
        const app = f.service();
        const got: string[] = [];
        app.queue(one, (payload) => void got.push(`one:${String(payload)}`));
        app.queue(two, (payload) => void got.push(`two:${String(payload)}`));
        await app.ready();
        await client.exchange(exchange, 'one').publish('a');
        await client.exchange(exchange, 'one').publish('b', 'two');
        await expect(client.exchange(uniqueName(label, 'never'), 'x').publish('c')).rejects.toMatchObject({
          code: 'MS_QUEUE_UNKNOWN_EXCHANGE',
        });
        void app.run();
        await waitFor('two messages', () => got.length === 2);
        expect([...got].sort()).toEqual(['one:a', 'two:b']);
        await client.deleteExchange(exchange);
      });

      it('purgeQueue reports how many messages it removed; deleteQueue makes the queue unroutable (strict mode)', async () => {
        const f = setup();
        const queue = f.name('purge');
        const app = f.service();
        app.queue(queue, () => {});
        await app.ready();
        await app.stop();
        const client = f.client();
        for (let i = 0; i < 3; i += 1) await client.queue(queue).publish(i);
        expect(await client.purgeQueue(queue)).toBe(3);
        await client.deleteQueue(queue);
        await expect(client.queue(queue, { declare: false }).publish('late')).rejects.toMatchObject({
          code: 'MS_QUEUE_UNROUTABLE',
        });
      });

      it('issue 11: one catalogue code per failure (unencodable payload, closed client)', async () => {
        const f = setup();
        const queue = f.name('codes');
        const app = f.service();
        app.queue(queue, () => {});
        await app.ready();
        const client = f.client();
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await expect(client.queue(queue).publish({ big: 1n })).rejects.toMatchObject({ code: 'MS_QUEUE_UNENCODABLE' });
        await expect(client.queue(queue).publish(circular)).rejects.toMatchObject({ code: 'MS_QUEUE_UNENCODABLE' });
        await expect(client.queue(queue).publish('h', { headers: { big: 1n } })).rejects.toMatchObject({
          code: 'MS_QUEUE_UNENCODABLE',
        });
        await client.queue(queue).publish('still works');
        await client.close();
        await expect(client.queue(queue).publish('late')).rejects.toMatchObject({ code: 'MS_QUEUE_CLOSED' });
      });

      // memory:// is in-process: there is no broker that could be unreachable.
      it.skipIf(label === 'memory')(
        'issue 10 item 1 (not on memory://, which has no broker to be unreachable): a publish to an unreachable broker settles within its timeoutMs, and close() at once',
        async () => {
          const dead = new URL(options.url());
          dead.port = String(await freePort());
          const client = new Client({ connection: { url: dead.toString(), ...options.transportOptions } });
          const started = Date.now();
          await expect(client.queue('nowhere').publish('x', { timeoutMs: 1500 })).rejects.toMatchObject({
            code: 'MS_QUEUE_PUBLISH_TIMEOUT',
          });
          expect(Date.now() - started).toBeLessThan(4000);
          const closing = Date.now();
          await client.close();
          expect(Date.now() - closing).toBeLessThan(2000);
        },
      );
    });
  });
}
