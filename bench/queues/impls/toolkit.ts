/**
 * This toolkit doing the queue workload through its public API, on any broker URL: a `QueueService` whose
 * handler receives the decoded payload (acked after the handler returns), and a `QueueClient` whose
 * `queue(name).publish()` resolves on the broker's confirmation.
 */
import type { Client, Microservice } from '../../../src/queues/index.js';
import { UnavailableError } from '../../lib/child.js';
import { loadToolkit } from '../../lib/toolkit.js';

type QueuesModule = typeof import('../../../src/queues/index.js');

import type { QueueBenchImplementation } from '../workload.js';

function unavailableWhenPlaceholder(error: unknown): never {
  if ((error as { code?: unknown }).code === 'MS_QUEUE_NOT_IMPLEMENTED') {
    throw new UnavailableError((error as Error).message);
  }
  throw error;
}

/**
 * @example const impl = createToolkitQueue('memory://bench'); await impl.setup('q', 100);
 */
export function createToolkitQueue(url: string): QueueBenchImplementation {
  let service: Microservice | undefined;
  let client: Client | undefined;
  let queueName = '';
  let onMessage: (message: unknown) => void = () => {};

  const opened = (): { service: Microservice; client: Client } => {
    if (!service || !client) throw new Error('setup() first');
    return { service, client };
  };

  return {
    async setup(queue, prefetch) {
      queueName = queue;
      const queues = (await loadToolkit('queues')) as QueuesModule;
      service = new queues.Microservice({ connection: url, prefetchCount: prefetch });
      client = new queues.Client({ connection: url });
      service.queue(queue, (payload) => onMessage(payload));
      // The queue name is new for every run, so there is nothing to purge.
      await service.ready().catch(unavailableWhenPlaceholder);
      // Connected and declared before the first publish, as every raw row's setup() is: a client declares a
      // queue once, on its first publish to it (on MQTT that read of the retained declarations alone took
      // 300 ms, a fifth of a 20,000-message run; a one-off per process, not a rate).
      await client.ready();
      await client.declareQueue(queue);
    },
    publish(message) {
      return opened().client.queue(queueName).publish(message);
    },
    async consume(handler) {
      onMessage = handler;
      // `read(0)` starts consuming and resolves once every consumer is subscribed (consumption then goes on
      // until stop()), so a live run never publishes before anyone listens: MQTT refuses such publishes.
      await opened().service.read(0);
    },
    async close() {
      const { service: app, client: publisher } = opened();
      await app.stop();
      await publisher.deleteQueue(queueName).catch(() => {});
      await publisher.deleteQueue(`${queueName}.dead-letter`).catch(() => {});
      await publisher.close();
    },
  };
}
