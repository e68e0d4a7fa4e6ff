/**
 * RELIABILITY C3 on a dedicated nats-server with MaxDeliver 4: a poison message that is always nacked is
 * delivered exactly 4 times and then dead-lettered with headers; one whose handler never settles is
 * redelivered by AckWait up to MaxDeliver and then moved to the dead-letter queue from the server's
 * advisory (the server alone would keep it in the stream forever); a terminal nack means exactly one
 * delivery; and the consumers the toolkit creates never have MaxDeliver -1.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport } from '../../src/queues/transports/nats/index.js';
import { QUEUE_CONSUMER_NAME, queueStreamName } from '../../src/queues/transports/nats/names.js';
import type { Delivery, DeliveryHandler, Transport } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { DedicatedNats, NATS_SERVER_PATH } from './helpers/nats-server.js';

const check = binary('nats-server', NATS_SERVER_PATH);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(check.skip)('C3 nats: MaxDeliver, terminal nack and dead-letter', () => {
  let server: DedicatedNats;
  let transport: Transport;

  beforeAll(async () => {
    server = await DedicatedNats.start();
    transport = await createNatsTransport(new URL(server.url('maxDeliver=4&ackWaitMs=1000')), {});
    await transport.connect();
  });

  afterAll(async () => {
    await transport?.close();
    await server?.cleanup();
  });

  async function poison(queue: string, deadLetterQueue: string | undefined, handler: DeliveryHandler): Promise<void> {
    if (deadLetterQueue) await transport.declareQueue(deadLetterQueue);
    await transport.declareQueue(queue, deadLetterQueue ? { deadLetterQueue } : {});
    await transport.publish(
      { exchange: '', routingKey: queue },
      { body: Buffer.from('poison'), properties: { messageId: `${queue}-1` } },
    );
    await transport.consume(queue, handler, { prefetch: 10 });
  }

  async function firstDeadLetter(queue: string): Promise<Delivery> {
    const letters: Delivery[] = [];
    await transport.consume(queue, (delivery) => letters.push(delivery), { prefetch: 1 });
    await until('the dead letter', () => letters.length > 0, 20_000);
    return letters[0] as Delivery;
  }

  it('delivers an always-nacked message exactly MaxDeliver times, then dead-letters it', async () => {
    const counts: number[] = [];
    await poison('c3-nacked', 'c3-nacked-dead', (delivery) => {
      counts.push(delivery.deliveryCount);
      void delivery.nack({ requeue: true, delayMs: 100 });
    });
    const letter = await firstDeadLetter('c3-nacked-dead');
    expect(letter.body.toString()).toBe('poison');
    expect(letter.properties.headers).toMatchObject({ 'x-death-reason': 'max-deliver', 'x-delivery-count': 4 });
    await sleep(2000);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(await transport.purgeQueue('c3-nacked')).toBe(0);
  });

  it('moves a message whose handler never settles to the dead-letter queue after MaxDeliver', async () => {
    const counts: number[] = [];
    await poison('c3-hung', 'c3-hung-dead', (delivery) => {
      counts.push(delivery.deliveryCount);
    });
    const letter = await firstDeadLetter('c3-hung-dead');
    expect(letter.properties.headers).toMatchObject({ 'x-death-reason': 'max-deliver' });
    expect(letter.properties.messageId).toBe('c3-hung-1');
    await sleep(2000);
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(await transport.purgeQueue('c3-hung')).toBe(0);
  });

  it('a terminal nack (no requeue, no dead-letter queue) means exactly one delivery', async () => {
    let deliveries = 0;
    await poison('c3-term', undefined, (delivery) => {
      deliveries += 1;
      void delivery.nack({ requeue: false });
    });
    await until('the delivery', () => deliveries === 1, 10_000);
    await sleep(2500);
    expect(deliveries).toBe(1);
    expect(await transport.purgeQueue('c3-term')).toBe(0);
  });

  it('creates consumers with a bounded MaxDeliver by default', async () => {
    const defaults = await createNatsTransport(new URL(server.url()), {});
    await defaults.connect();
    await defaults.declareQueue('c3-defaults');
    await defaults.close();
    const admin = await connect({ servers: `127.0.0.1:${server.port}` });
    try {
      const info = await (await jetstreamManager(admin)).consumers.info(
        queueStreamName('c3-defaults'),
        QUEUE_CONSUMER_NAME,
      );
      expect(info.config.max_deliver).toBeGreaterThan(0);
      expect(info.config.max_deliver).toBe(100);
    } finally {
      await admin.close();
    }
  });
});
