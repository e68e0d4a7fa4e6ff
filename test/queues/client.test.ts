/** The queue client beyond the conformance suite: connection resolution, properties, errors. */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DEFAULT_BROKER_URL, type Delivery, Microservice } from '../../src/queues/index.js';
import { MemoryTransport } from '../../src/queues/transports/memory/index.js';
import { unreachableTransport } from './helpers/transports.js';

const transports: MemoryTransport[] = [];
function transport(broker = `client-${Math.random()}`): MemoryTransport {
  const created = new MemoryTransport(broker);
  transports.push(created);
  return created;
}
afterEach(async () => {
  for (const created of transports.splice(0)) await created.close();
});

/** Takes one delivery off the queue and cancels the consumer. */
async function firstDelivery(on: MemoryTransport, queue: string): Promise<Delivery> {
  let resolveDelivery: (delivery: Delivery) => void = () => {};
  const received = new Promise<Delivery>((resolve) => {
    resolveDelivery = resolve;
  });
  const subscription = await on.consume(queue, (delivery) => resolveDelivery(delivery), { prefetch: 1 });
  const delivery = await received;
  await subscription.cancel();
  return delivery;
}

describe('connection', () => {
  it('defaults to the seed URL, or BROKER_URL when set, with the password masked in the name', () => {
    const saved = process.env.BROKER_URL;
    try {
      delete process.env.BROKER_URL;
      expect(DEFAULT_BROKER_URL).toBe('amqp://guest:guest@localhost:5672/');
      expect(new Client().name).toBe('<client: amqp://guest:**@localhost:5672/>');
      expect(new Microservice({ immediateConnect: false }).name).toBe(
        '<microservice: amqp://guest:**@localhost:5672/>',
      );
      process.env.BROKER_URL = 'memory://from-env';
      expect(new Client().name).toBe('<client: memory://from-env>');
    } finally {
      if (saved === undefined) delete process.env.BROKER_URL;
      else process.env.BROKER_URL = saved;
    }
  });

  it('accepts a URL, an options object with url, or a transport', () => {
    expect(new Client('memory://a').name).toBe('<client: memory://a>');
    expect(new Client({ connection: { url: 'memory://b' } }).name).toBe('<client: memory://b>');
    expect(new Client({ url: 'memory://c' }).name).toBe('<client: memory://c>');
    expect(new Client(transport('d')).name).toBe('<client: memory://d>');
    expect(new Client({ connection: 'memory://e', name: 'custom' }).name).toBe('custom');
  });
});

describe('publishing', () => {
  it('marks messages persistent, gives them a messageId, and keeps one that is given', async () => {
    const broker = transport();
    await broker.connect();
    await broker.declareQueue('q');
    const client = new Client({ connection: broker });
    await client.queue('q').publish({ a: 1 });
    const first = await firstDelivery(broker, 'q');
    expect(first.properties.persistent).toBe(true);
    expect(first.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
    await first.ack();
    await client.publishToQueue('q', 'x', { messageId: 'mine', correlationId: 'c1', persistent: false });
    const second = await firstDelivery(broker, 'q');
    expect(second.properties).toMatchObject({ messageId: 'mine', correlationId: 'c1', persistent: false });
  });

  it('rejects an unencodable payload before sending anything', async () => {
    const broker = transport();
    await broker.connect();
    await broker.declareQueue('q');
    const client = new Client({ connection: broker });
    await expect(client.queue('q').publish(undefined)).rejects.toMatchObject({ code: 'MS_QUEUE_UNENCODABLE' });
    expect(await client.purgeQueue('q')).toBe(0);
  });

  it('publishes to an exchange another client declared, found through the broker', async () => {
    const name = `shared-${Math.random()}`;
    const declaring = new Client(`memory://${name}`);
    await declaring.declareExchange('events', { type: 'fanout', queues: [['audit', '']] });
    const other = new Client(`memory://${name}`);
    await other.exchange('events').publish('seen');
    expect(other.exchanges.get('events')).toBe('existing');
    expect(await other.purgeQueue('audit')).toBe(1);
    await declaring.close();
    await other.close();
  });

  it('a closed client refuses to publish', async () => {
    const client = new Client(`memory://closed-${Math.random()}`);
    await client.close();
    await expect(client.queue('q').publish(1)).rejects.toMatchObject({ code: 'MS_QUEUE_CLOSED' });
  });

  it('aborts a publish through its signal', async () => {
    const broker = transport();
    await broker.connect();
    await broker.declareQueue('q');
    const client = new Client({ connection: broker });
    const controller = new AbortController();
    controller.abort(new Error('changed my mind'));
    await expect(client.queue('q').publish(1, { signal: controller.signal })).rejects.toThrow('changed my mind');
  });
});

describe('issue 10 item 1: one deadline for the whole publish, connecting included', () => {
  it('a publish through a transport that never connects rejects at its timeoutMs; close() settles at once', async () => {
    const transport = unreachableTransport('hang');
    const client = new Client({ connection: transport });
    const started = Date.now();
    await expect(client.queue('q').publish('x', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'MS_QUEUE_PUBLISH_TIMEOUT',
      message: expect.stringMatching(/not sent/),
    });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(client.publishToExchange('x', 'k', 'x', { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'MS_QUEUE_PUBLISH_TIMEOUT',
    });
    const closing = Date.now();
    await client.close();
    expect(Date.now() - closing).toBeLessThan(500);
  });

  it('the default publishTimeoutMs bounds the connect too', async () => {
    const client = new Client({ connection: unreachableTransport('hang'), publishTimeoutMs: 200 });
    await expect(client.queue('q').publish('x')).rejects.toMatchObject({ code: 'MS_QUEUE_PUBLISH_TIMEOUT' });
    await client.close();
  });

  it('the signal aborts a publish that waits for the connection', async () => {
    const client = new Client({ connection: unreachableTransport('hang') });
    const controller = new AbortController();
    const publishing = client.queue('q').publish('x', { signal: controller.signal, timeoutMs: 60_000 });
    controller.abort(new Error('caller gave up'));
    await expect(publishing).rejects.toThrow('caller gave up');
    await client.close();
  });
});
