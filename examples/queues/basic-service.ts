/**
 * The seed README's queue service example: a handler on queue "basic" that prints each payload.
 *
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/basic-service.ts
 *
 * then publish with basic-client.ts. Without BROKER_URL it runs on memory://, where only this process can
 * publish: see demo.ts for the service and client together.
 */
import { Microservice } from 'microservices-ts/queues';
import { brokerUrl, isMain } from './broker-url.js';

/** Builds the example service; `print` receives each payload (console.log by default, as the seed's print). */
export function createBasicService(url = brokerUrl(), print: (payload: unknown) => void = console.log): Microservice {
  const app = new Microservice({ connection: url });

  // queue name - "basic"
  app.queue('basic', (payload) => {
    print(payload);
  });

  return app;
}

if (isMain(import.meta.url)) {
  const app = createBasicService();
  process.once('SIGINT', () => void app.stop());
  process.once('SIGTERM', () => void app.stop());
  await app.run({ debug: true });
}
