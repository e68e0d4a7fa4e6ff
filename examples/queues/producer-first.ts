/**
 * Issue 14's queue features on one queue: the producer runs first and declares the queue itself (the
 * service's later declaration matches it), a backlog is served highest priority first, and a delayed
 * message arrives no earlier than its delay.
 *
 *   npx tsx examples/queues/producer-first.ts                     # memory://demo
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/producer-first.ts
 */
import { Client, Microservice } from 'microservices-ts/queues';
import { brokerUrl, isMain } from './broker-url.js';

/** Publishes a backlog before any service ran, then starts the service; resolves with what it handled, in order. */
export async function runProducerFirst(url = brokerUrl(), queue = 'jobs.ranked'): Promise<string[]> {
  const client = new Client({ connection: url });
  // Declared by the producer, exactly as the service below declares it (maxPriority on both sides).
  const jobs = client.queue(queue, { maxPriority: 10 });
  await jobs.publish('reminder', { delayMs: 1000 }); // held back for a second
  await jobs.publish('routine', { priority: 1 });
  await jobs.publish('urgent', { priority: 9 });
  await jobs.publish('normal', { priority: 5 });

  const handled: string[] = [];
  const app = new Microservice({ connection: url });
  app.queue(queue, { maxPriority: 10, prefetchCount: 1 }, (job) => {
    handled.push(String(job));
    console.log('handled', job);
  });
  await app.start();
  while (handled.length < 4) await new Promise((resolve) => setTimeout(resolve, 50));
  await app.stop();
  await client.deleteQueue(queue);
  await client.deleteQueue(`${queue}.dead-letter`);
  await client.close();
  return handled; // ['urgent', 'normal', 'routine', 'reminder']
}

if (isMain(import.meta.url)) await runProducerFirst();
