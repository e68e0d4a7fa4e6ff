/**
 * Queue contracts on the in-process broker: what the conformance suite does not repeat on every transport
 * (validator failures, async validators, option checks, header bounds, valibot and arktype).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ISSUES_HEADER, invalidPayloadHeaders, MAX_ISSUES_HEADER } from '../../src/queues/contracts.js';
import {
  Client,
  DEAD_LETTER_HEADERS,
  type HandlerContext,
  Microservice,
  ValidationError,
} from '../../src/queues/index.js';
import { failureNack, resolveRetry } from '../../src/queues/retry.js';

const FAST_RETRY = { maxRetries: 2, backoff: { initialDelayMs: 20, maxDelayMs: 40 } };
let broker = 0;
const open: Array<Microservice | Client> = [];

function url(): string {
  broker += 1;
  return `memory://contracts-${process.pid}-${broker}`;
}

function service(connection: string): Microservice {
  const app = new Microservice({ connection, retry: FAST_RETRY, drainTimeout: 2000 });
  open.push(app);
  return app;
}

function client(connection: string, validatePublish?: boolean): Client {
  const made = new Client({ connection, ...(validatePublish === undefined ? {} : { validatePublish }) });
  open.push(made);
  return made;
}

afterEach(async () => {
  for (const item of open.splice(0)) await (item instanceof Microservice ? item.stop() : item.close());
});

/** A service with `schema` on queue `q` and a collector on its dead-letter queue. */
async function withSchema(schema: StandardSchemaV1, connection = url()) {
  const app = service(connection);
  const handled: unknown[] = [];
  const attempts: number[] = [];
  app.queue('q', { schema }, (payload, context) => {
    handled.push(payload);
    attempts.push(context.attempt);
  });
  const dead: HandlerContext[] = [];
  app.queue('q.dead-letter', (_p, context) => void dead.push(context), { deadLetter: false });
  await app.ready();
  return { app, handled, attempts, dead, publisher: client(connection).queue('q') };
}

describe('queue(name, { schema }, handler): every vendor', () => {
  const vendors: Array<[string, StandardSchemaV1]> = [
    ['zod', z.object({ id: z.number(), title: z.string() })],
    ['valibot', v.object({ id: v.number(), title: v.string() })],
    ['valibot wrapped for JSON Schema', toStandardJsonSchema(v.object({ id: v.number(), title: v.string() }))],
    ['arktype', type({ id: 'number', title: 'string' })],
  ];
  it.each(vendors)('%s: valid payloads reach the handler, invalid ones are dead-lettered once', async (_v, schema) => {
    const { app, handled, dead, publisher } = await withSchema(schema);
    await publisher.publish({ id: 1, title: 'a' });
    await publisher.publish({ id: 'one' });
    await app.read(1, 150);
    expect(handled).toEqual([{ id: 1, title: 'a' }]);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.message.headers[DEAD_LETTER_HEADERS.reason]).toBe('invalid-payload');
    const issues = JSON.parse(String(dead[0]?.message.headers[ISSUES_HEADER])) as Array<{ path: string }>;
    expect(issues.map((issue) => issue.path)).toContain('payload.id');
  });
});

describe('queue contracts: validators', () => {
  it('an async validator works: the handler gets its output', async () => {
    const schema: StandardSchemaV1<unknown, { n: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) =>
          typeof value === 'number' ? { value: { n: value * 2 } } : { issues: [{ message: 'not a number' }] },
      },
    };
    const { app, handled, dead, publisher } = await withSchema(schema);
    await publisher.publish(21);
    await publisher.publish('x');
    await app.read(1, 150);
    expect(handled).toEqual([{ n: 42 }]);
    expect(dead[0]?.message.headers[ISSUES_HEADER]).toBe('[{"path":"payload","message":"not a number"}]');
  });

  it('a validator that throws is retried like a handler failure (it says nothing about the payload)', async () => {
    let calls = 0;
    const flaky: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          calls += 1;
          if (calls === 1) throw new Error('lookup service down');
          return { value };
        },
      },
    };
    const { app, handled, attempts, dead, publisher } = await withSchema(flaky);
    await publisher.publish({ a: 1 });
    await app.read(1, 200);
    expect(handled).toEqual([{ a: 1 }]);
    expect(attempts).toEqual([2]);
    expect(dead).toHaveLength(0);
  });

  it('a validator that always throws ends dead-lettered as a handler error, after the retries, with its message', async () => {
    const broken: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new Error('lookup service down');
        },
      },
    };
    const { app, handled, dead, publisher } = await withSchema(broken);
    await publisher.publish({ a: 1 });
    await app.read(1, 300);
    expect(handled).toEqual([]);
    expect(dead[0]?.message.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: 'handler-error',
      [DEAD_LETTER_HEADERS.attempts]: FAST_RETRY.maxRetries + 1,
      [DEAD_LETTER_HEADERS.error]: 'the payload validator of queue "q" failed: lookup service down',
    });
    expect(dead[0]?.message.headers[ISSUES_HEADER]).toBeUndefined();
  });

  it('a handler that throws a ValidationError itself is dead-lettered at once too (it can only fail again)', async () => {
    const connection = url();
    const app = service(connection);
    let calls = 0;
    app.queue('q', () => {
      calls += 1;
      throw new ValidationError([{ path: 'payload.owner', message: 'no such owner' }]);
    });
    const dead: HandlerContext[] = [];
    app.queue('q.dead-letter', (_p, context) => void dead.push(context), { deadLetter: false });
    await app.ready();
    await client(connection).queue('q').publish({ owner: 9 });
    await app.read(1, 150);
    expect(calls).toBe(1);
    expect(dead[0]?.message.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: 'invalid-payload',
      [ISSUES_HEADER]: '[{"path":"payload.owner","message":"no such owner"}]',
    });
  });

  it('an ordinary failure is still retried (the schema changes nothing there)', async () => {
    const nack = failureNack(new Error('db down'), 1, 'handler-error', 'q', resolveRetry({}));
    expect(nack.requeue).toBe(true);
    const invalid = failureNack(new ValidationError([]), 1, 'handler-error', 'q', resolveRetry({}));
    expect(invalid).toMatchObject({ requeue: false, headers: { 'x-reason': 'invalid-payload', 'x-attempts': 1 } });
  });
});

describe('queue contracts: bounds and options', () => {
  it('the issues header stays under its limit and says how many issues were left out', () => {
    const issues = Array.from({ length: 50 }, (_, i) => ({ path: `payload.items.${i}`, message: 'x'.repeat(300) }));
    const header = invalidPayloadHeaders(new ValidationError(issues))?.[ISSUES_HEADER] ?? '';
    expect(header.length).toBeLessThanOrEqual(MAX_ISSUES_HEADER);
    const kept = JSON.parse(header) as Array<{ path: string; message: string }>;
    expect(kept.length).toBeGreaterThan(5);
    const dropped = 50 - (kept.length - 1);
    expect(kept.at(-1)).toEqual({ path: 'payload', message: `${dropped} more issues left out.` });
    expect(invalidPayloadHeaders(new Error('x'))).toBeUndefined();
  });

  it('recognising a ValidationError never throws, whatever the handler rejected with', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('prototype trap');
        },
      },
    );
    expect(invalidPayloadHeaders(hostile)).toBeUndefined();
    expect(failureNack(hostile, 9, 'handler-error', 'q', resolveRetry({})).requeue).toBe(false);
  });

  it('a payload with many issues is still dead-lettered on the broker with a bounded header', async () => {
    const { app, dead, publisher } = await withSchema(z.array(z.string()));
    await publisher.publish(Array.from({ length: 500 }, (_, i) => i));
    await app.read(1, 150);
    expect(String(dead[0]?.message.headers[ISSUES_HEADER]).length).toBeLessThanOrEqual(MAX_ISSUES_HEADER);
    expect(String(dead[0]?.message.headers[ISSUES_HEADER])).toMatch(/more issues left out/);
  });

  it('refuses a schema that is not a Standard Schema, schema with raw, and a missing handler', () => {
    const app = new Microservice({ connection: url(), immediateConnect: false });
    open.push(app);
    const handler = (): void => {};
    expect(() => app.queue('a', { schema: { parse: () => 1 } as never }, handler)).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION', message: expect.stringMatching(/Standard Schema/) }),
    );
    expect(() => app.queue('b', { schema: z.string(), raw: true }, handler)).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION', message: expect.stringMatching(/raw/) }),
    );
    expect(() => app.queue('c', { schema: z.string() } as never, undefined as never)).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION', message: expect.stringMatching(/handler function/) }),
    );
    expect(() => app.queue('d', { prefetchSize: 1 } as never, handler)).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION' }),
    );
  });

  it('handler first with the schema in the options validates too', async () => {
    const connection = url();
    const app = service(connection);
    const handled: unknown[] = [];
    app.queue('q', (payload) => void handled.push(payload), { schema: z.object({ n: z.coerce.number() }) });
    app.queue('q.dead-letter', () => {}, { deadLetter: false });
    await app.ready();
    await client(connection).queue('q').publish({ n: '5' });
    await client(connection).queue('q').publish({ n: 'five' });
    await app.read(1, 150);
    expect(handled).toEqual([{ n: 5 }]);
  });

  it('refuses bad client contract options', () => {
    const made = client(url());
    expect(() => made.queue('q', { schema: 'no' as never })).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION' }),
    );
    expect(() => made.queue('q', { schema: z.string(), validate: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION' }),
    );
    expect(() => made.queue('q', { shema: z.string() } as never)).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION', message: expect.stringMatching(/"shema"/) }),
    );
    expect(() => new Client({ connection: url(), validatePublish: 1 as never })).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION' }),
    );
  });

  it('an async validator on publish: an invalid payload rejects and nothing is sent', async () => {
    const connection = url();
    const made = client(connection);
    await made.declareExchange('unused', { queues: [['q', 'q']] });
    const schema: StandardSchemaV1<number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => (value === 1 ? { value } : { issues: [{ message: 'only 1', path: ['n'] }] }),
      },
    };
    await expect(made.queue('q', { schema }).publish(2)).rejects.toMatchObject({
      code: 'MS_VALIDATION_FAILED',
      issues: [{ path: 'payload.n', message: 'only 1' }],
    });
    await made.queue('q', { schema }).publish(1);
    expect(await made.purgeQueue('q')).toBe(1);
  });
});
