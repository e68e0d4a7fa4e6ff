/**
 * Wire-level interoperability with Python kombu/Celery over RabbitMQ, checked with raw amqplib standing in for
 * the Python side: messages shaped exactly as kombu publishes them reach our handlers decoded, and what our
 * client publishes carries the properties kombu reads (content type, encoding, persistent delivery mode).
 */
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { sleep, uniqueName, waitFor } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';
import { kombuCheck, runKombu } from './helpers/kombu.js';

const URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const check = await rabbitmq();
const kombu = check.skip ? { skip: true, reason: check.reason } : kombuCheck();

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

  it('publishes what kombu reads: content type, encoding (left off on JSON, which is UTF-8) and a persistent delivery mode', async () => {
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
      ['application/json', undefined, 2],
      ['text/plain', 'utf-8', 2],
      ['application/data', 'binary', 2],
    ]);
    expect(JSON.parse(seen[0]?.content.toString() ?? '')).toEqual({ data: 'Hello, world' });
  });
});

/**
 * Issue 10 items 2 and 3 with the real Python side: Debian's python3-kombu (py-amqp 5.1) as producer and
 * consumer, run by `helpers/kombu_peer.py`.
 */
describe.skipIf(kombu.skip)('kombu interoperability with python3-kombu on RabbitMQ (issue 10)', () => {
  const queues: string[] = [];
  const name = (what: string): string => {
    const queue = uniqueName('kombu-py', what);
    queues.push(queue, `${queue}.dead-letter`);
    return queue;
  };
  afterAll(async () => {
    const connection = await amqplib.connect(URL);
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => {});
    await connection.close();
  });

  it("issue 10 item 2: kombu's header types (L past 2^31, signed D, T, nested F/A, V) are read exactly; 11 messages stay 11", async () => {
    const queue = name('ledger');
    const app = new Microservice({ connection: URL });
    const handled: Array<{ payload: unknown; headers: Record<string, unknown> }> = [];
    app.queue(queue, (payload, context) => {
      handled.push({ payload, headers: { ...context.message.headers } });
    });
    await app.ready();
    const running = app.run();
    try {
      await runKombu(['produce', URL, queue, '11']);
      await waitFor('eleven messages handled', () => handled.length >= 11, 15_000);
      // A crash loop would redeliver and multiply them; give it time to show.
      await sleep(3000);
      expect(handled.length).toBe(11);
      const indexes = handled.map(({ payload }) => (payload as { index: number }).index).sort((a, b) => a - b);
      expect(indexes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(handled[0]?.headers).toMatchObject({
        big: 2 ** 40,
        huge: 2n ** 62n,
        negative_big: -(2 ** 40),
        decimal: { '!': 'decimal', value: { places: 1, digits: -15 } },
        when: { '!': 'timestamp', value: 1_700_000_000 },
        nested: { list: [1, 'two', null, true, 2.5] },
        nothing: null,
      });
    } finally {
      await app.stop();
      await running.catch(() => undefined);
    }
  });

  it('issue 10 item 2: headers that still cannot be read (nested 40 deep) dead-letter that message; the connection and the next messages carry on', async () => {
    const queue = name('unreadable');
    const app = new Microservice({ connection: URL });
    const handled: unknown[] = [];
    app.queue(queue, (payload) => void handled.push(payload));
    await app.ready();
    const running = app.run();
    try {
      await runKombu(['produce', URL, queue, '2', 'unreadable']);
      await runKombu(['produce', URL, queue, '1']);
      await waitFor('the readable message handled', () => handled.length >= 1, 15_000);
      await sleep(1000);
      expect(handled).toEqual([{ index: 0 }]);
    } finally {
      await app.stop();
      await running.catch(() => undefined);
    }
    const connection = await amqplib.connect(URL);
    try {
      const channel = await connection.createChannel();
      const dead: amqplib.GetMessage[] = [];
      for (let tries = 0; tries < 50 && dead.length < 2; tries++) {
        const message = await channel.get(`${queue}.dead-letter`, { noAck: true });
        if (message) dead.push(message);
        else await sleep(100);
      }
      expect(dead.map((message) => JSON.parse(message.content.toString()))).toEqual([{ index: 0 }, { index: 1 }]);
      const headers = dead[0]?.properties.headers as Record<string, unknown>;
      expect(headers['x-reason']).toBe('undecodable');
      expect(String(headers['x-error'])).toMatch(/cannot be decoded: tables nested deeper than 32 levels/);
      expect(Buffer.isBuffer(headers['x-ms-raw-headers'])).toBe(true);
    } finally {
      await connection.close();
    }
  });

  it('issue 10 item 3: integers, floats, strings, booleans, null, nested tables and Dates from our client read exactly in kombu', async () => {
    const queue = name('to-python');
    const setup = await amqplib.connect(URL);
    await (await setup.createChannel()).assertQueue(queue, { durable: true });
    await setup.close();
    const client = new Client(URL);
    const headers = {
      small: 5,
      negative: -5,
      mid: 200,
      negativeMid: -300,
      big: 2 ** 40,
      float: 1.5,
      yes: true,
      text: 'héllo',
      nothing: null,
      nested: { list: [1, 'x', -7, 40_000] },
      when: new Date(1_700_000_000_000),
    };
    try {
      await client.queue(queue).publish({ n: 1, text: 'héllo ✓' }, { headers });
    } finally {
      await client.close();
    }
    const [message] = JSON.parse(await runKombu(['consume', URL, queue, '1'])) as Array<{
      headers: Record<string, unknown>;
      body: unknown;
      encoding: string | null;
    }>;
    // No content encoding on the wire for JSON: kombu reads it as UTF-8, its default.
    expect(message?.encoding).toBeNull();
    expect(message?.body).toEqual({ n: 1, text: 'héllo ✓' });
    expect(message?.headers).toMatchObject({
      small: 5,
      negative: -5,
      mid: 200,
      negativeMid: -300,
      big: 2 ** 40,
      float: 1.5,
      yes: true,
      text: 'héllo',
      nothing: null,
      nested: { list: [1, 'x', -7, 40_000] },
      when: { $datetime: '2023-11-14T22:13:20' },
    });
  });
});
