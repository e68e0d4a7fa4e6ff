/** Type tests for the queue API: registration returns the handler's own type, contexts and publishes are typed. */
import { describe, expectTypeOf, it } from 'vitest';
import {
  Client,
  type HandlerContext,
  Microservice,
  type QueueClient,
  type QueueMessage,
  type QueueService,
} from '../../src/queues/index.js';

describe('queue API types', () => {
  it('queue() returns the very handler type it was given', () => {
    const app = new Microservice({ connection: 'memory://types', immediateConnect: false });
    const handler = async (payload: unknown, context: HandlerContext): Promise<number> => {
      expectTypeOf(context.attempt).toEqualTypeOf<number>();
      expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(context.message).toEqualTypeOf<QueueMessage>();
      expectTypeOf(context.message.ack).returns.toEqualTypeOf<Promise<boolean>>();
      expectTypeOf(context.rule.name).toEqualTypeOf<string>();
      return payload === null ? 0 : 1;
    };
    expectTypeOf(app.queue('q', handler)).toEqualTypeOf(handler);
    expectTypeOf(app.run).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(app.read).returns.toEqualTypeOf<Promise<number>>();
  });

  it('publishes resolve to void and purge to a count; the aliases are the same classes', () => {
    const client = new Client('memory://types');
    expectTypeOf(client.queue('q').publish).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.exchange('x', 'k').publish).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.purgeQueue).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf<QueueService>().toEqualTypeOf<Microservice>();
    expectTypeOf<QueueClient>().toEqualTypeOf<Client>();
  });
});
