/**
 * Peer: Rascal on RabbitMQ doing the queue workload through its public API: a durable queue, a publication
 * with publisher confirms (Rascal's default) and persistent messages, awaited until its `success` event
 * (the broker's confirm), and a subscription with a prefetch of 100 whose messages Rascal decodes from JSON
 * by their content type and which are acked with `ackOrNack()` after decoding.
 */
import { createRequire } from 'node:module';
import type { QueueBenchImplementation } from '../workload.js';

// Rascal ships no type declarations: the few calls used here, typed locally.
interface RascalPublication {
  on(event: 'success', listener: () => void): RascalPublication;
  on(event: 'error' | 'return', listener: (error: Error) => void): RascalPublication;
}
interface RascalSubscription {
  on(event: 'message', listener: (message: unknown, content: unknown, ackOrNack: () => void) => void): this;
  on(event: 'error' | 'invalid_content', listener: (error: Error) => void): this;
}
interface RascalBroker {
  publish(name: string, message: unknown): Promise<RascalPublication>;
  subscribe(name: string): Promise<RascalSubscription>;
  nuke(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface RascalModule {
  BrokerAsPromised: { create(config: object): Promise<RascalBroker> };
  withDefaultConfig(config: object): object;
}

const rascal = createRequire(import.meta.url)('rascal') as RascalModule;

/**
 * @example const impl = createRascalPeer('amqp://guest:guest@127.0.0.1:5672/'); await impl.setup('q', 100);
 */
export function createRascalPeer(url: string): QueueBenchImplementation {
  let broker: RascalBroker | undefined;

  const opened = (): RascalBroker => {
    if (!broker) throw new Error('setup() first');
    return broker;
  };

  return {
    async setup(queue, prefetch) {
      const config = {
        vhosts: {
          '/': {
            // Rascal holds a pooled confirm channel per publication until its confirm arrives, and its
            // default pool has 5: at most 5 publishes in flight. RASCAL_CONFIRM_POOL raises it (with 100,
            // 20,000 publishes exhausted the connection's channels: "No channels left to allocate").
            publicationChannelPools: { confirmPool: { max: Number(process.env.RASCAL_CONFIRM_POOL ?? 5) } },
            connection: { url },
            queues: { [queue]: { options: { durable: true } } },
            publications: {
              bench: { queue, confirm: true, options: { persistent: true } },
            },
            subscriptions: { bench: { queue, prefetch } },
          },
        },
      };
      broker = await rascal.BrokerAsPromised.create(rascal.withDefaultConfig(config));
      broker.on('error', (error) => console.error(error));
    },
    async publish(message) {
      const publication = await opened().publish('bench', message);
      await new Promise<void>((resolve, reject) => {
        publication.on('success', resolve).on('error', reject).on('return', reject);
      });
    },
    async consume(onMessage) {
      const subscription = await opened().subscribe('bench');
      subscription.on('error', (error) => console.error(error));
      subscription.on('invalid_content', (error) => console.error(error));
      subscription.on('message', (_message, content, ackOrNack) => {
        ackOrNack();
        onMessage(content);
      });
    },
    async close() {
      // Unsubscribes, deletes the queue it declared and shuts the broker down.
      await opened().nuke();
    },
  };
}
