/**
 * Request/reply over any transport URL (issue 14 part 1): the handler's return value is the reply, a handler
 * error reaches the caller as a RemoteError, a missing reply times out with MS_QUEUE_REPLY_TIMEOUT, a late
 * reply is dropped and counted, concurrent calls each get their own answer, and close() rejects what waits.
 * A transport's test file calls `describeRpcConformance(label, {check, url})`; see memory.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ValidationError } from '../../src/contracts/validate.js';
import { CODES, MicroservicesError } from '../../src/errors.js';
import {
  Client,
  type ClientOptions,
  Microservice,
  type MicroserviceOptions,
  RemoteError,
} from '../../src/queues/index.js';
import { sleep, uniqueName, waitFor } from './helpers.js';
import type { ConformanceOptions } from './transport-suite.js';

/** Services, clients and queue names of one test, all removed afterwards. */
class RpcFixture {
  readonly services: Microservice[] = [];
  readonly clients: Client[] = [];
  readonly queues = new Set<string>();

  constructor(
    readonly label: string,
    readonly options: ConformanceOptions,
  ) {}

  #connection(): { url: string } {
    return { url: this.options.url(), ...this.options.transportOptions };
  }

  name(what: string): string {
    const name = uniqueName(this.label, `rpc.${what}`);
    this.queues.add(name);
    this.queues.add(`${name}.dead-letter`);
    return name;
  }

  service(options: Omit<MicroserviceOptions, 'connection'> = {}): Microservice {
    const service = new Microservice({ connection: this.#connection(), drainTimeout: 5000, ...options });
    this.services.push(service);
    return service;
  }

  client(options: Omit<ClientOptions, 'connection'> = {}): Client {
    const client = new Client({ connection: this.#connection(), ...options });
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients) await client.close().catch(() => {});
    for (const service of this.services) await service.stop();
    const cleaner = new Client({ connection: this.#connection() });
    for (const queue of this.queues) await cleaner.deleteQueue(queue).catch(() => {});
    await cleaner.close();
  }
}

/** What a call rejected with (fails the test when it resolved). */
async function rejection(promise: Promise<unknown>): Promise<{ code?: unknown; message: string } & Error> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: unknown; message: string } & Error;
  }
  throw new Error('the call resolved; a rejection was expected');
}

/**
 * Registers the request/reply conformance tests for one broker.
 * @example describeRpcConformance('memory', { check: () => available, url: () => 'memory://conformance' });
 */
export function describeRpcConformance(label: string, options: ConformanceOptions): void {
  describe(`request/reply conformance: ${label}`, async () => {
    const check = await options.check();
    let fixture: RpcFixture | undefined;
    const setup = (): RpcFixture => {
      fixture = new RpcFixture(label, options);
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    describe.skipIf(check.skip)('calls', () => {
      it('answers with the handler return value: JSON, text, bytes, and null for nothing', async () => {
        const f = setup();
        const add = f.name('add');
        const echo = f.name('echo');
        const app = f.service();
        app.queue(add, async (payload) => {
          const { a, b } = payload as { a: number; b: number };
          return a + b;
        });
        app.queue(echo, (payload: unknown) => (payload === 'nothing' ? undefined : payload));
        await app.start();
        const client = f.client();
        expect(await client.queue(add).call({ a: 1, b: 2 }, { timeoutMs: 5000 })).toBe(3);
        expect(await client.queue(echo).call('text', { timeoutMs: 5000 })).toBe('text');
        const bytes = await client.queue(echo).call(Buffer.from([0, 255]), { timeoutMs: 5000 });
        expect(Buffer.isBuffer(bytes) && [...bytes]).toEqual([0, 255]);
        expect(await client.queue(echo).call({ deep: [1, { x: null }] }, { timeoutMs: 5000 })).toEqual({
          deep: [1, { x: null }],
        });
        expect(await client.queue(echo).call('nothing', { timeoutMs: 5000 })).toBeNull();
        expect(client.stats).toEqual({ pendingCalls: 0, lateReplies: 0 });
      });

      it('rejects with a RemoteError carrying the remote code and message, acks the request and never retries it', async () => {
        const f = setup();
        const queue = f.name('fails');
        const app = f.service({ retry: { maxRetries: 3, backoff: { initialDelayMs: 10, maxDelayMs: 20 } } });
        let calls = 0;
        app.queue(queue, () => {
          calls += 1;
          throw Object.assign(new Error('b must be positive'), { code: 'E_RANGE' });
        });
        const dead: unknown[] = [];
        app.queue(`${queue}.dead-letter`, (payload) => void dead.push(payload), { deadLetter: false });
        await app.start();
        const client = f.client();
        const error = await rejection(client.queue(queue).call({ b: -1 }, { timeoutMs: 5000 }));
        expect(error).toBeInstanceOf(RemoteError);
        expect(error.code).toBe('E_RANGE');
        expect(error.message).toBe('b must be positive');
        expect((error as RemoteError).remoteStack).toBeUndefined();
        await sleep(300);
        expect(calls).toBe(1);
        expect(dead).toEqual([]);
      });

      it('sends the stack only when the service sets exposeErrors, and a generic code for an error without one', async () => {
        const f = setup();
        const queue = f.name('stack');
        const app = f.service({ exposeErrors: true });
        app.queue(queue, () => {
          throw new TypeError('no code here');
        });
        await app.start();
        const error = (await rejection(f.client().queue(queue).call(1, { timeoutMs: 5000 }))) as RemoteError;
        expect(error.code).toBe(CODES.MS_QUEUE_HANDLER_FAILED);
        expect(error.message).toBe('no code here');
        expect(error.remoteStack).toMatch(/TypeError: no code here\n\s+at /);
      });

      it('answers a payload that fails the queue schema with MS_VALIDATION_FAILED', async () => {
        const f = setup();
        const queue = f.name('schema');
        const app = f.service();
        const schema = {
          '~standard': {
            version: 1 as const,
            vendor: 'test',
            validate: (value: unknown) =>
              typeof value === 'number' ? { value } : { issues: [{ message: 'expected a number' }] },
          },
        };
        app.queue(queue, { schema }, (n) => (n as number) * 2);
        await app.start();
        // Through the untyped handle, so the service (not the client) is the one that refuses it.
        const error = await rejection(f.client().queue(queue).call('seven', { timeoutMs: 5000 }));
        expect(error).toBeInstanceOf(RemoteError);
        expect(error.code).toBe(CODES.MS_VALIDATION_FAILED);
        expect(await f.client().queue(queue, { schema }).call(21, { timeoutMs: 5000 })).toBe(42);
      });

      it('checks the reply schema at both ends: output on success, MS_QUEUE_REPLY_INVALID remote or local', async () => {
        const f = setup();
        const queue = f.name('reply-schema');
        const loose = f.name('reply-loose');
        const Addition = z.object({ a: z.number(), b: z.number() });
        const Sum = z.object({ sum: z.number(), unit: z.string().default('none') });
        const app = f.service();
        // The service checks what its handler returns: a negative sum is returned with the wrong shape.
        app.queue(queue, { schema: Addition, reply: Sum }, ({ a, b }) =>
          a + b >= 0 ? { sum: a + b } : ({ total: a + b } as unknown as { sum: number }),
        );
        // No reply schema on this service: only the client can catch its wrong shape.
        app.queue(loose, () => ({ total: 1 }));
        await app.start();
        const client = f.client();
        const add = client.queue(queue, { schema: Addition, reply: Sum });
        // The client resolves to the schema's output (the default applied), not to the bytes received.
        expect(await add.call({ a: 1, b: 2 }, { timeoutMs: 5000 })).toEqual({ sum: 3, unit: 'none' });
        const remote = await rejection(add.call({ a: 1, b: -5 }, { timeoutMs: 5000 }));
        expect(remote).toBeInstanceOf(RemoteError);
        expect(remote.code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
        expect(remote.message).toMatch(/reply.*sum/);
        const local = await rejection(client.queue(loose, { reply: Sum }).call(null, { timeoutMs: 5000 }));
        expect(local).not.toBeInstanceOf(RemoteError);
        expect(local).toBeInstanceOf(MicroservicesError);
        expect(local.code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
        expect((local.cause as ValidationError).issues[0]?.path).toBe('reply.sum');
        expect(client.stats).toEqual({ pendingCalls: 0, lateReplies: 0 });
      });

      it('times out with MS_QUEUE_REPLY_TIMEOUT when nobody answers', async () => {
        const f = setup();
        const queue = f.name('silent');
        const app = f.service();
        app.queue(queue, () => 1);
        await app.ready(); // declared, never consumed
        const client = f.client();
        const started = Date.now();
        const error = await rejection(client.queue(queue).call({}, { timeoutMs: 300 }));
        expect(error.code).toBe(CODES.MS_QUEUE_REPLY_TIMEOUT);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
        expect(client.stats.pendingCalls).toBe(0);
      });

      it('drops and counts a late reply, which never reaches a later call', async () => {
        const f = setup();
        const queue = f.name('slow');
        const app = f.service({ workers: 2 });
        app.queue(queue, async (payload) => {
          const { n, waitMs } = payload as { n: number; waitMs: number };
          await sleep(waitMs);
          return n;
        });
        await app.start();
        const client = f.client();
        // A first call declares the queue (producer-declared queues); after it, the request goes out at once.
        expect(await client.queue(queue).call({ n: 0, waitMs: 0 }, { timeoutMs: 5000 })).toBe(0);
        const error = await rejection(client.queue(queue).call({ n: 1, waitMs: 600 }, { timeoutMs: 200 }));
        expect(error.code).toBe(CODES.MS_QUEUE_REPLY_TIMEOUT);
        const next = client.queue(queue).call({ n: 2, waitMs: 800 }, { timeoutMs: 5000 });
        await waitFor('the late reply', () => client.stats.lateReplies === 1);
        expect(await next).toBe(2);
        expect(client.stats).toEqual({ pendingCalls: 0, lateReplies: 1 });
      });

      it('gives each of 50 concurrent calls its own answer', async () => {
        const f = setup();
        const queue = f.name('concurrent');
        const app = f.service({ workers: 8 });
        app.queue(queue, async (payload) => {
          const { n } = payload as { n: number };
          await sleep(n % 7);
          return { n, square: n * n };
        });
        await app.start();
        const client = f.client();
        const numbers = Array.from({ length: 50 }, (_, index) => index);
        const replies = await Promise.all(numbers.map((n) => client.queue(queue).call({ n }, { timeoutMs: 15_000 })));
        expect(replies).toEqual(numbers.map((n) => ({ n, square: n * n })));
        expect(client.stats.lateReplies).toBe(0);
      });

      it('rejects waiting calls with MS_QUEUE_CLOSED on close(), and bounds the pending calls', async () => {
        const f = setup();
        const queue = f.name('closing');
        const app = f.service();
        app.queue(queue, () => 1);
        await app.ready(); // nobody answers
        const client = f.client({ maxPendingCalls: 2 });
        const first = rejection(client.queue(queue).call(1, { timeoutMs: 10_000 }));
        const second = rejection(client.queue(queue).call(2, { timeoutMs: 10_000 }));
        const third = await rejection(client.queue(queue).call(3, { timeoutMs: 10_000 }));
        expect(third.code).toBe(CODES.MS_QUEUE_TOO_MANY_CALLS);
        await sleep(100);
        await client.close();
        expect((await first).code).toBe(CODES.MS_QUEUE_CLOSED);
        expect((await second).code).toBe(CODES.MS_QUEUE_CLOSED);
        expect((await rejection(client.queue(queue).call(4))).code).toBe(CODES.MS_QUEUE_CLOSED);
      });

      it('rejects at once on an aborted signal and leaves nothing pending', async () => {
        const f = setup();
        const queue = f.name('abort');
        const app = f.service();
        app.queue(queue, () => 1);
        await app.ready();
        const client = f.client();
        const controller = new AbortController();
        const call = rejection(client.queue(queue).call(1, { timeoutMs: 10_000, signal: controller.signal }));
        await sleep(50);
        controller.abort(new Error('changed my mind'));
        expect((await call).message).toBe('changed my mind');
        expect(client.stats.pendingCalls).toBe(0);
      });
    });
  });
}
