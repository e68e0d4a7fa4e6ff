/** Type tests for request/reply: call() takes the schema's input, and the reply is `unknown` unless named. */
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type CallStats, Client, Microservice, type QueueCaller, RemoteError } from '../../src/queues/index.js';

describe('request/reply types', () => {
  it('types the argument from the schema and the reply as unknown or R', () => {
    const client = new Client('memory://types');
    const Addition = z.object({ a: z.number(), b: z.number() });
    const add = client.queue('math.add', { schema: Addition });
    expectTypeOf(add.call({ a: 1, b: 2 })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(add.call<number>({ a: 1, b: 2 }, { timeoutMs: 5000 })).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error b must be a number
    void add.call({ a: 1, b: 'two' });
    expectTypeOf(client.queue('free').call).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(client.stats).toEqualTypeOf<CallStats>();
    expectTypeOf(new RemoteError('q', { code: 'E', message: 'm' }).code).toEqualTypeOf<string>();
  });
});

describe('reply schema types', () => {
  const Addition = z.object({ a: z.number(), b: z.number() });
  const Sum = z.object({ sum: z.number(), at: z.string().default('now') });
  const Answer = type({ value: 'number' });
  const ValiAnswer = v.object({ value: v.number() });
  const app = new Microservice({ connection: 'memory://types', immediateConnect: false });
  const client = new Client('memory://types');

  it('types the handler return with the reply schema input, on the service', () => {
    app.queue('math.add', { schema: Addition, reply: Sum }, async ({ a, b }) => ({ sum: a + b }));
    app.queue('math.add.sync', { schema: Addition, reply: Sum }, ({ a, b }) => {
      expectTypeOf(a).toEqualTypeOf<number>();
      return { sum: a + b, at: 'later' };
    });
    app.queue('only.reply', { reply: Answer }, (payload) => {
      expectTypeOf(payload).toEqualTypeOf<unknown>();
      return { value: 1 };
    });
    app.queue('vali.reply', { reply: ValiAnswer, prefetchCount: 2 }, async () => ({ value: 2 }));
    // @ts-expect-error the reply schema wants { sum: number }
    app.queue('math.bad', { schema: Addition, reply: Sum }, async ({ a, b }) => a + b);
    // @ts-expect-error arktype: value must be a number
    app.queue('ark.bad', { reply: Answer }, () => ({ value: 'one' }));
  });

  it('types call() with the reply schema output, on the client', () => {
    const add = client.queue('math.add', { schema: Addition, reply: Sum });
    expectTypeOf(add).toEqualTypeOf<QueueCaller<{ a: number; b: number }, { sum: number; at: string }>>();
    expectTypeOf(add.call({ a: 1, b: 2 })).toEqualTypeOf<Promise<{ sum: number; at: string }>>();
    // @ts-expect-error the request schema still types the argument
    void add.call({ a: 1 });
    const answer = client.queue('only.reply', { reply: Answer, declare: false });
    expectTypeOf(answer.call).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(answer.call(null)).toEqualTypeOf<Promise<{ value: number }>>();
    expectTypeOf(client.queue('vali.reply', { reply: ValiAnswer }).call(1)).toEqualTypeOf<Promise<{ value: number }>>();
    // Without a reply schema call<R>() keeps working.
    expectTypeOf(client.queue('math.add', { schema: Addition }).call<number>({ a: 1, b: 2 })).toEqualTypeOf<
      Promise<number>
    >();
  });
});
