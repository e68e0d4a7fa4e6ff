/** Type tests for request/reply: call() takes the schema's input, and the reply is `unknown` unless named. */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type CallStats, Client, RemoteError } from '../../src/queues/index.js';

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
