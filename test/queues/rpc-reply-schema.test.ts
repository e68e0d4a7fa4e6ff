/**
 * Reply schemas on memory:// (issue 14 part 1), for what the conformance case does not cover: the service
 * logs a reply that fails its schema, a plain publish is never checked (nothing is sent back), asynchronous
 * validators work at both ends, and a `reply` option that is not a schema is refused.
 */
import { type } from 'arktype';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CODES } from '../../src/errors.js';
import type { Logger } from '../../src/logging.js';
import { Client, Microservice, RemoteError } from '../../src/queues/index.js';

const url = `memory://rpc-reply-schema-${process.pid}`;
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const part of open.splice(0).reverse()) await part.close();
});

function recordingLogger(lines: { level: string; message: string; fields: unknown[] }[]): Logger {
  const record =
    (level: string) =>
    (message: string, ...fields: unknown[]): void =>
      void lines.push({ level, message, fields });
  return {
    trace: record('trace'),
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** A Standard Schema whose check resolves later: a positive integer. */
const AsyncPositive = {
  '~standard': {
    version: 1 as const,
    vendor: 'test',
    validate: async (value: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return Number.isInteger(value) && (value as number) > 0
        ? { value: value as number }
        : { issues: [{ message: 'expected a positive integer' }] };
    },
    types: undefined as unknown as { input: number; output: number },
  },
};

async function service(setup: (app: Microservice) => void, logger?: Logger): Promise<Microservice> {
  const app = new Microservice({ connection: url, ...(logger ? { logger } : {}) });
  setup(app);
  await app.start();
  open.push({ close: () => app.stop() });
  return app;
}

function client(): Client {
  const created = new Client(url);
  open.push(created);
  return created;
}

describe('reply schemas', () => {
  it('logs a reply that fails its schema, and the caller gets MS_QUEUE_REPLY_INVALID instead of the bad reply', async () => {
    const lines: { level: string; message: string; fields: unknown[] }[] = [];
    await service(
      (app) => app.queue('reply.logged', { reply: z.number() }, () => 'three' as unknown as number),
      recordingLogger(lines),
    );
    const error = await client()
      .queue('reply.logged')
      .call(1, { timeoutMs: 2000 })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
    const logged = lines.filter((line) => line.level === 'error' && /reply schema/.test(line.message));
    expect(logged).toHaveLength(1);
    // The line carries the error: which queue, and what is wrong with the reply.
    expect(logged[0]?.message).toMatch(/reply returned by its handler for queue "reply.logged" does not match/);
  });

  it('does not check the return value of a plain publish: the message is acked, not retried or dead-lettered', async () => {
    let runs = 0;
    const dead: unknown[] = [];
    await service((app) => {
      app.queue('reply.published', { reply: z.number() }, () => {
        runs += 1;
        return 'not a number' as unknown as number;
      });
      app.queue('reply.published.dead-letter', (payload) => void dead.push(payload), { deadLetter: false });
    });
    const publisher = client();
    await publisher.queue('reply.published').publish({ job: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toBe(1);
    expect(dead).toEqual([]);
  });

  it('awaits asynchronous validators on both ends', async () => {
    await service((app) => {
      app.queue('reply.async', { reply: AsyncPositive }, (n) => n as number);
      app.queue('reply.async.unchecked', (n) => n);
    });
    const caller = client();
    expect(await caller.queue('reply.async', { reply: AsyncPositive }).call(4, { timeoutMs: 2000 })).toBe(4);
    const remote = await caller
      .queue('reply.async')
      .call(-1, { timeoutMs: 2000 })
      .catch((failure: unknown) => failure);
    expect((remote as RemoteError).code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
    const local = await caller
      .queue('reply.async.unchecked', { reply: AsyncPositive })
      .call(-1, { timeoutMs: 2000 })
      .catch((failure: unknown) => failure);
    expect(local).not.toBeInstanceOf(RemoteError);
    expect((local as { code: string }).code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
  });

  it('takes valibot and arktype reply schemas as well as zod', async () => {
    const Vali = v.object({ total: v.number() });
    const Ark = type({ total: 'number' });
    await service((app) => {
      app.queue('reply.vali', { reply: Vali }, (n) => ({ total: n as number }));
      app.queue('reply.ark', { reply: Ark }, (n) => ({ total: n as number }));
    });
    const caller = client();
    expect(await caller.queue('reply.vali', { reply: Vali }).call(2, { timeoutMs: 2000 })).toEqual({ total: 2 });
    expect(await caller.queue('reply.ark', { reply: Ark }).call(3, { timeoutMs: 2000 })).toEqual({ total: 3 });
    const remote = await caller
      .queue('reply.ark')
      .call('three', { timeoutMs: 2000 })
      .catch((failure: unknown) => failure);
    expect((remote as RemoteError).code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
    const local = await caller
      .queue('reply.vali', { reply: type({ total: 'string' }) })
      .call(4, { timeoutMs: 2000 })
      .catch((failure: unknown) => failure);
    expect((local as { code: string }).code).toBe(CODES.MS_QUEUE_REPLY_INVALID);
  });

  it('refuses a reply option that is not a Standard Schema, on the service and on the client', () => {
    const app = new Microservice({ connection: url, immediateConnect: false });
    expect(() => app.queue('reply.bad', { reply: { parse: () => 1 } } as never, () => 1)).toThrow(
      /"reply" must be a Standard Schema/,
    );
    expect(() => client().queue('reply.bad', { reply: 'number' } as never)).toThrow(
      /"reply" must be a Standard Schema/,
    );
  });
});
