/**
 * Raw amqplib doing the queue workload: a confirm channel for publishing, a second channel for consuming.
 * `createRawAmqp({ properties: true })` (the report's "raw amqplib carrying the toolkit's properties" row) adds
 * what every toolkit JSON message carries beyond raw's content type: a fresh UUID message id, to measure what
 * it costs the client and RabbitMQ by itself. (The toolkit sent the content encoding `utf-8` too until it
 * measured that RabbitMQ's cost of it bought nothing: see codec.ts in the AMQP transport.)
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import type { QueueBenchImplementation } from '../workload.js';

export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * @example const impl = createRawAmqp(); await impl.setup('q', 100);
 */
export function createRawAmqp(options: { readonly properties?: boolean } = {}): QueueBenchImplementation {
  const withProperties = options.properties ?? false;
  let connection: amqplib.ChannelModel | undefined;
  let publisher: amqplib.ConfirmChannel | undefined;
  let consumer: amqplib.Channel | undefined;
  let queueName = '';
  let prefetchCount = 100;

  const opened = (): { publisher: amqplib.ConfirmChannel; consumer: amqplib.Channel } => {
    if (!publisher || !consumer) throw new Error('setup() first');
    return { publisher, consumer };
  };

  return {
    async setup(queue, prefetch) {
      queueName = queue;
      prefetchCount = prefetch;
      connection = await amqplib.connect(AMQP_URL);
      publisher = await connection.createConfirmChannel();
      consumer = await connection.createChannel();
      await publisher.assertQueue(queue, { durable: true });
      await publisher.purgeQueue(queue);
    },
    publish(message) {
      const body = Buffer.from(JSON.stringify(message));
      return new Promise((resolve, reject) => {
        opened().publisher.sendToQueue(
          queueName,
          body,
          withProperties
            ? {
                persistent: true,
                contentType: 'application/json',
                messageId: randomUUID(),
                mandatory: true,
              }
            : { persistent: true, contentType: 'application/json', mandatory: true },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    },
    async consume(onMessage) {
      const channel = opened().consumer;
      await channel.prefetch(prefetchCount);
      await channel.consume(queueName, (delivery) => {
        if (!delivery) return;
        const message: unknown = JSON.parse(delivery.content.toString('utf8'));
        channel.ack(delivery);
        onMessage(message);
      });
    },
    async close() {
      await publisher?.deleteQueue(queueName);
      await connection?.close();
    },
  };
}
