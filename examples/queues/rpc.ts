/**
 * Request/reply (docs/queues.md, "Request/reply"): the handler's return value is the reply, a handler error
 * reaches the caller as a RemoteError, and a call nobody answers times out.
 *
 *   npx tsx examples/queues/rpc.ts                       # memory://demo
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/rpc.ts
 */
import { Client, Microservice, RemoteError } from 'microservices-ts/queues';
import { z } from 'zod';
import { brokerUrl, isMain } from './broker-url.js';

export const Addition = z.object({ a: z.number(), b: z.number() });
/** The reply schema: checked by the service before it sends, and by the client when it receives. */
export const Sum = z.number().int();

/** What the demo saw: the sum, the remote error's code and message, and the client's counters. */
export interface RpcDemo {
  readonly sum: number;
  readonly error: { readonly code: string; readonly message: string };
  readonly stats: { readonly pendingCalls: number; readonly lateReplies: number };
}

/** `queue` is a parameter only so that tests on a shared broker do not collide; the docs use `math.add`. */
export async function runRpcDemo(url = brokerUrl(), queue = 'math.add'): Promise<RpcDemo> {
  const app = new Microservice({ connection: url });
  app.queue(queue, { schema: Addition, reply: Sum }, async ({ a, b }) => {
    if (!Number.isSafeInteger(a + b)) throw Object.assign(new Error('the sum is too large'), { code: 'E_RANGE' });
    return a + b; // the reply, typed and checked by Sum
  });
  await app.start();

  const client = new Client(url);
  const add = client.queue(queue, { schema: Addition, reply: Sum }); // call() takes Addition, resolves to Sum
  const sum: number = await add.call({ a: 1, b: 2 }, { timeoutMs: 5000 }); // 3

  let error = { code: '', message: '' };
  try {
    await add.call({ a: Number.MAX_SAFE_INTEGER, b: 1 }, { timeoutMs: 5000 });
  } catch (failure) {
    if (!(failure instanceof RemoteError)) throw failure;
    error = { code: failure.code, message: failure.message }; // { code: 'E_RANGE', message: 'the sum is too large' }
  }

  const stats = client.stats;
  await client.close();
  await app.stop();
  return { sum, error, stats };
}

if (isMain(import.meta.url)) {
  const demo = await runRpcDemo();
  console.log('1 + 2 =', demo.sum);
  console.log('remote error:', demo.error);
}
