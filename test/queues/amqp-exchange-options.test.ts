/**
 * Issue 10 item 11 on RabbitMQ: `declareExchange` with `autoDelete` and `arguments` does what the broker does
 * with them (before, AMQP accepted both and silently dropped them; then refused them as unsupported).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/queues/client.js';
import { AmqpTransport } from '../../src/queues/transports/amqp/index.js';
import { rabbitmq } from '../helpers/services.js';

const check = await rabbitmq();
const BROKER = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const unique = (what: string): string => `exchange-options.${what}.${randomBytes(4).toString('hex')}`;

describe.skipIf(check.skip)('issue 10 item 11: AMQP exchange options', () => {
  const closing: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of closing.splice(0)) await item.close();
  });

  it('autoDelete: RabbitMQ deletes the exchange once its last queue is unbound; a plain one stays', async () => {
    const client = new Client(BROKER);
    const probe = new AmqpTransport(new URL(BROKER));
    closing.push(client, probe);
    await probe.connect();
    const [auto, kept, autoQueue, keptQueue] = [unique('auto'), unique('kept'), unique('auto-q'), unique('kept-q')];
    await client.declareExchange(auto, { type: 'fanout', autoDelete: true, queues: [[autoQueue, '']] });
    await client.declareExchange(kept, { type: 'fanout', queues: [[keptQueue, '']] });
    await client.exchange(auto).publish('routed');
    await client.deleteQueue(autoQueue);
    await client.deleteQueue(keptQueue);
    expect(await probe.hasExchange(auto)).toBe(false);
    expect(await probe.hasExchange(kept)).toBe(true);
    await client.deleteExchange(kept);
  });

  it('arguments: an alternate-exchange argument routes what no binding takes', async () => {
    const client = new Client(BROKER);
    closing.push(client);
    const [main, alternate, caught] = [unique('main'), unique('alternate'), unique('caught')];
    await client.declareExchange(alternate, { type: 'fanout', queues: [[caught, '']] });
    await client.declareExchange(main, { type: 'direct', arguments: { 'alternate-exchange': alternate } });
    // Unroutable on `main` itself: without the argument this publish would be refused as unroutable.
    await client.exchange(main, 'nobody-binds-this').publish({ n: 1 });
    const probe = new AmqpTransport(new URL(BROKER));
    closing.push(probe);
    await probe.connect();
    // The publish resolved on the broker's confirm, so the copy is already in the queue.
    expect(await probe.purgeQueue(caught)).toBe(1);
    await client.deleteQueue(caught);
    await client.deleteExchange(main);
    await client.deleteExchange(alternate);
  });
});
