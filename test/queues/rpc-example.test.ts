/** examples/queues/rpc.ts (the docs' "Request/reply" example), on memory:// and, when it is up, on RabbitMQ. */
import { Client } from 'microservices-ts/queues';
import { afterAll, describe, expect, it } from 'vitest';
import { runRpcDemo } from '../../examples/queues/rpc.js';
import { rabbitmq } from '../helpers/services.js';

const rabbit = await rabbitmq();
const targets = [
  { label: 'memory://', url: `memory://rpc-example-${process.pid}`, skip: false },
  {
    label: `amqp://${rabbit.skip ? ` (${rabbit.reason})` : ''}`,
    url: 'amqp://guest:guest@127.0.0.1:5672/',
    skip: rabbit.skip,
  },
];

const queue = `rpc-example.${process.pid}.math.add`;

describe.each(targets)('examples/queues/rpc.ts on $label', ({ url, skip }) => {
  afterAll(async () => {
    if (skip) return;
    const client = new Client(url);
    await client.deleteQueue(queue).catch(() => {});
    await client.deleteQueue(`${queue}.dead-letter`).catch(() => {});
    await client.close();
  });

  it.skipIf(skip)('answers 1 + 2 with 3 and a too-large sum with a RemoteError E_RANGE', async () => {
    const demo = await runRpcDemo(url, queue);
    expect(demo.sum).toBe(3);
    expect(demo.error).toEqual({ code: 'E_RANGE', message: 'the sum is too large' });
    expect(demo.stats).toEqual({ pendingCalls: 0, lateReplies: 0 });
  });
});
