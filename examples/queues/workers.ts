/**
 * The seed README's workers example: up to 10 handlers run at once (the seed used a ThreadPool; here they are
 * concurrent async handlers), and the prefetch follows the worker count.
 *
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/workers.ts
 */
import { Microservice } from 'microservices-ts/queues';
import { brokerUrl, isMain } from './broker-url.js';

/** Builds a service with 10 workers on queue "basic"; each handler takes `workMs` to finish. */
export function createWorkersService(url = brokerUrl(), workMs = 100, print: (line: string) => void = console.log) {
  // Run application with 10 parallel workers
  const app = new Microservice({ connection: url, workers: 10 });

  app.queue('basic', async (payload, context) => {
    await new Promise((resolve) => setTimeout(resolve, workMs));
    print(`attempt ${context.attempt}: ${JSON.stringify(payload)}`);
  });

  return app;
}

if (isMain(import.meta.url)) {
  const app = createWorkersService();
  process.once('SIGINT', () => void app.stop());
  process.once('SIGTERM', () => void app.stop());
  await app.run({ debug: true });
}
