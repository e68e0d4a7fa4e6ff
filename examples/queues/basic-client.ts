/**
 * The seed README's queue client example: publish `{data: 'Hello, world'}` to queue "basic". The publish
 * resolves once the broker has confirmed the message.
 *
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/basic-client.ts
 */
import { Client } from 'microservices-ts/queues';
import { brokerUrl, isMain } from './broker-url.js';

/** Publishes the README's message through a new client, then closes it. */
export async function publishHello(url = brokerUrl()): Promise<void> {
  const client = new Client({ connection: url });
  try {
    const queue = client.queue('basic');
    await queue.publish({ data: 'Hello, world' });
  } finally {
    await client.close();
  }
}

if (isMain(import.meta.url)) await publishHello();
