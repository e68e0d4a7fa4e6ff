/**
 * Raw NATS JetStream doing the queue workload: a file-backed stream per queue, `js.publish` awaited until
 * its PubAck, and a durable pull consumer with explicit acks pulling `prefetch` messages at a time.
 */
import { AckPolicy, type ConsumerMessages, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { QueueBenchImplementation } from '../workload.js';

export const NATS_SERVER = '127.0.0.1:4222';

/**
 * @example const impl = createRawNats(); await impl.setup('q', 100);
 */
export function createRawNats(): QueueBenchImplementation {
  let connection: NatsConnection | undefined;
  let streamName = '';
  let subject = '';
  let batch = 100;
  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> = Promise.resolve();
  const encoder = new TextEncoder();

  const opened = (): NatsConnection => {
    if (!connection) throw new Error('setup() first');
    return connection;
  };

  return {
    async setup(queue, prefetch) {
      streamName = queue.replace(/[^A-Za-z0-9_-]/g, '_');
      subject = `bench.${streamName}`;
      batch = prefetch;
      connection = await connect({ servers: NATS_SERVER });
      const manager = await jetstreamManager(connection);
      await manager.streams.delete(streamName).catch(() => false);
      await manager.streams.add({ name: streamName, subjects: [subject] });
      await manager.consumers.add(streamName, { durable_name: 'bench', ack_policy: AckPolicy.Explicit });
    },
    async publish(message) {
      await jetstream(opened()).publish(subject, encoder.encode(JSON.stringify(message)));
    },
    async consume(onMessage) {
      const consumer = await jetstream(opened()).consumers.get(streamName, 'bench');
      const stream = await consumer.consume({ max_messages: batch });
      messages = stream;
      loop = (async () => {
        for await (const delivery of stream) {
          const message: unknown = JSON.parse(delivery.string());
          delivery.ack();
          onMessage(message);
        }
      })();
    },
    async close() {
      await messages?.close();
      await loop;
      const manager = await jetstreamManager(opened());
      await manager.streams.delete(streamName).catch(() => false);
      await opened().close();
    },
  };
}
