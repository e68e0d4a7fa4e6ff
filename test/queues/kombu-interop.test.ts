/**
 * Wire-level interoperability with Python kombu/Celery over RabbitMQ, checked with raw amqplib standing in for
 * the Python side: messages shaped exactly as kombu publishes them reach our handlers decoded, and what our
 * client publishes carries the properties kombu reads (content type, encoding, persistent delivery mode).
 */
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { uniqueName, waitFor } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';

const URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const check = await rabbitmq();

describe.skipIf(check.skip)('kombu interoperability on RabbitMQ', () => {
  let connection: amqplib.ChannelModel;
  let channel: amqplib.ConfirmChannel;
  const queues: string[] = [];
  const name = (what: string): string => {
    const queue = uniqueName('kombu', what);
    queues.push(queue, `${queue}.dead-letter`);
    return queue;
  };

  beforeAll(async () => {
    connection = await amqplib.connect(URL);
    channel = await connection.createConfirmChannel();
  });
  afterAll(async () => {
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => {});
    await connection.close();
  });

  /** Publishes like kombu's Producer.publish: delivery_mode 2, kombu's content type and encoding, confirmed. */
  async function publishLikeKombu(queue: string, body: Buffer, contentType: string, encoding: string) {
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        '',
        queue,
        body,
        { contentType, contentEncoding: encoding, deliveryMode: 2, headers: {} },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  it('decodes what kombu sends: a dict as JSON, a str as text, bytes as binary, a Celery task body', async () => {
    const queue = name('from-kombu');
    const app = new Microservice({ connection: URL });
    const received: unknown[] = [];
    app.queue(queue, (payload) => void received.push(payload));
    await app.ready();
    await publishLikeKombu(queue, Buffer.from('{"a": 1, "b": [null, 2.5]}'), 'application/json', 'utf-8');
    await publishLikeKombu(queue, Buffer.from('str'), 'text/plain', 'utf-8');
    await publishLikeKombu(queue, Buffer.from([0, 1, 2]), 'application/data', 'binary');
    await publishLikeKombu(queue, Buffer.from('[[2, 2], {}, {"callbacks": null}]'), 'application/json', 'utf-8');
    void app.run();
    try {
      await waitFor('four messages', () => received.length === 4);
      expect(received[0]).toEqual({ a: 1, b: [null, 2.5] });
      expect(received[1]).toBe('str');
      expect(Buffer.compare(received[2] as Buffer, Buffer.from([0, 1, 2]))).toBe(0);
      expect(received[3]).toEqual([[2, 2], {}, { callbacks: null }]);
    } finally {
      await app.stop();
    }
  });

  it('publishes what kombu reads: content type, encoding and a persistent delivery mode', async () => {
    const queue = name('to-kombu');
    await channel.assertQueue(queue, { durable: true });
    const client = new Client(URL);
    await client.queue(queue).publish({ data: 'Hello, world' });
    await client.queue(queue).publish('text');
    await client.queue(queue).publish(Buffer.from([7]));
    await client.close();
    const seen: amqplib.ConsumeMessage[] = [];
    await channel.consume(queue, (message) => {
      if (message) {
        seen.push(message);
        channel.ack(message);
      }
    });
    await waitFor('three messages', () => seen.length === 3);
    const summary = seen.map((m) => [
      m.properties.contentType,
      m.properties.contentEncoding,
      m.properties.deliveryMode,
    ]);
    expect(summary).toEqual([
      ['application/json', 'utf-8', 2],
      ['text/plain', 'utf-8', 2],
      ['application/data', 'binary', 2],
    ]);
    expect(JSON.parse(seen[0]?.content.toString() ?? '')).toEqual({ data: 'Hello, world' });
  });
});
