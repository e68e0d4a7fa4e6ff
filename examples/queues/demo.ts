/**
 * The service and the client of the README in one process, so the example works on the embedded memory://
 * broker too: start the service, publish "Hello, world", print what the handler got, stop.
 *
 *   npx tsx examples/queues/demo.ts                       # memory://demo
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/demo.ts
 */

import { publishHello } from './basic-client.js';
import { createBasicService } from './basic-service.js';
import { brokerUrl, isMain } from './broker-url.js';

/** Runs the round trip and resolves with the payload the handler received. */
export async function runDemo(url = brokerUrl()): Promise<unknown> {
  let resolveReceived: (payload: unknown) => void = () => {};
  const received = new Promise<unknown>((resolve) => {
    resolveReceived = resolve;
  });
  const app = createBasicService(url, (payload) => {
    console.log(payload);
    resolveReceived(payload);
  });
  await app.ready();
  const running = app.run();
  try {
    await publishHello(url);
    return await received;
  } finally {
    await app.stop();
    await running;
  }
}

if (isMain(import.meta.url)) await runDemo();
