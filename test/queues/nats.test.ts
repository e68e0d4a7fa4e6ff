/**
 * The nats:// transport against the shared JetStream server on :4222: streams, consumers, dedup,
 * dead-lettering, exchanges and the settings read from the URL. Every test uses its own queue names.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport } from '../../src/queues/transports/nats/index.js';
import { bindingFilters, natsToken, subjectMatches } from '../../src/queues/transports/nats/names.js';
import { loadNatsModules } from '../../src/queues/transports/nats/peer.js';
import { natsSettings } from '../../src/queues/transports/nats/settings.js';
import type { Delivery, Transport } from '../../src/queues/transports/transport.js';
import { nats } from '../helpers/services.js';

describe('nats names and settings (no server)', () => {
  it('escapes names injectively into single tokens', () => {
    expect(natsToken('orders.eu')).toBe('orders_2eeu');
    expect(natsToken('a_b')).not.toBe(natsToken('a.b'));
    expect(natsToken('')).toBe('_');
    expect(natsToken('x*>y z')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('maps exchange bindings onto filter subjects', () => {
    expect(bindingFilters('ev', 'fanout', 'ignored')).toEqual(['mse.ev.>']);
    expect(bindingFilters('ev', 'direct', 'a.b')).toEqual(['mse.ev.a.b']);
    expect(bindingFilters('ev', 'topic', 'a.*.#')).toEqual(['mse.ev.a.*', 'mse.ev.a.*.>']);
    expect(bindingFilters('ev', 'topic', '#')).toEqual(['mse.ev.>']);
    expect(() => bindingFilters('ev', 'topic', '#.a')).toThrow(/last word/);
  });

  it('matches subjects against filters as the server does', () => {
    expect(subjectMatches('mse.ev.a.*', 'mse.ev.a.b')).toBe(true);
    expect(subjectMatches('mse.ev.a.*', 'mse.ev.a.b.c')).toBe(false);
    expect(subjectMatches('mse.ev.a.>', 'mse.ev.a.b.c')).toBe(true);
    expect(subjectMatches('mse.ev.a.>', 'mse.ev.a')).toBe(false);
    expect(subjectMatches('mse.ev.a', 'mse.ev.a')).toBe(true);
  });

  it('masks the password and the token in the name, and reads tuning from the query', () => {
    const settings = natsSettings(new URL('nats://app:s3cret@localhost:4333/?maxDeliver=7&ackWaitMs=1500'), {});
    expect(settings.name).not.toContain('s3cret');
    expect(settings.name).toContain('app:**@');
    expect(settings.maxDeliver).toBe(7);
    expect(settings.ackWaitMs).toBe(1500);
    expect(settings.servers).toEqual(['localhost:4333']);
    expect(natsSettings(new URL('nats://tok3n@localhost/'), {}).name).not.toContain('tok3n');
    expect(() => natsSettings(new URL('nats://localhost/?maxDeliver=-1'), {})).toThrow(/positive/);
  });

  it('gives up connecting after maxAttempts, reporting each retry', async () => {
    const transport = await createNatsTransport(new URL('nats://127.0.0.1:1/'), {
      reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 },
    });
    const retries: number[] = [];
    transport.on('reconnecting', (attempt) => retries.push(attempt));
    await expect(transport.connect()).rejects.toMatchObject({ code: 'MS_QUEUE_CONNECT_FAILED' });
    expect(retries).toEqual([1, 2]);
    expect(transport.connected).toBe(false);
    await expect(
      transport.publish({ exchange: '', routingKey: 'q' }, { body: Buffer.from('x'), properties: {} }),
    ).rejects.toThrow(/not connected/);
  });

  it('names the package to install when a NATS package is missing', async () => {
    const missing = (): Promise<never> =>
      Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' }));
    await expect(loadNatsModules(missing)).rejects.toThrow(/npm install @nats-io\/transport-node/);
    await expect(loadNatsModules(undefined, missing)).rejects.toThrow(/npm install @nats-io\/jetstream/);
  });
});

const check = await nats();

describe.skipIf(check.skip)('nats transport on JetStream', () => {
  let transport: Transport;
  const created: string[] = [];
  const exchanges: string[] = [];

  const queueName = async (options = {}): Promise<string> => {
    const name = `t.nats.${randomUUID()}`;
    await transport.declareQueue(name, options);
    created.push(name);
    return name;
  };

  const nextDelivery = (queue: string, prefetch = 10): Promise<Delivery> =>
    new Promise((resolve) => {
      void transport.consume(
        queue,
        (delivery) => {
          resolve(delivery);
        },
        { prefetch },
      );
    });

  beforeAll(async () => {
    transport = await createNatsTransport(new URL('nats://127.0.0.1:4222/?ackWaitMs=2000&maxDeliver=3'), {});
    await transport.connect();
  });

  afterAll(async () => {
    for (const name of created) await transport.deleteQueue(name);
    for (const name of exchanges) await transport.deleteExchange(name);
    await transport.close();
  });

  it('publishes on PubAck and delivers body and properties', async () => {
    const queue = await queueName();
    await transport.publish(
      { exchange: '', routingKey: queue },
      {
        body: Buffer.from('{"a":1}'),
        properties: { contentType: 'application/json', messageId: 'm-1', headers: { n: 2, s: 'x' } },
      },
    );
    const delivery = await nextDelivery(queue);
    expect(delivery.body.toString()).toBe('{"a":1}');
    expect(delivery.properties).toMatchObject({ contentType: 'application/json', messageId: 'm-1', headers: { n: 2 } });
    expect(delivery.deliveryCount).toBe(1);
    expect(delivery.deliveryInfo.routingKey).toBe(queue);
    expect(await delivery.ack()).toBe(true);
    expect(await delivery.ack()).toBe(false);
    expect(await transport.purgeQueue(queue)).toBe(0);
  });

  it('drops a republished Nats-Msg-Id inside the duplicate window', async () => {
    const queue = await queueName();
    const message = { body: Buffer.from('once'), properties: { messageId: `dup-${randomUUID()}` } };
    await transport.publish({ exchange: '', routingKey: queue }, message);
    await transport.publish({ exchange: '', routingKey: queue }, message);
    await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('other'), properties: {} });
    expect(await transport.purgeQueue(queue)).toBe(2);
  });

  it('counts redeliveries after nack and dead-letters on the last allowed delivery', async () => {
    const dead = await queueName();
    const queue = await queueName({ deadLetterQueue: dead });
    await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('poison'), properties: {} });
    const counts: number[] = [];
    await new Promise<void>((resolve) => {
      void transport.consume(
        queue,
        (delivery) => {
          counts.push(delivery.deliveryCount);
          void delivery.nack({ requeue: true, delayMs: 10 }).then(() => {
            if (delivery.deliveryCount >= 3) resolve();
          });
        },
        { prefetch: 1 },
      );
    });
    expect(counts).toEqual([1, 2, 3]);
    const deadLettered = await nextDelivery(dead);
    expect(deadLettered.body.toString()).toBe('poison');
    expect(deadLettered.properties.headers).toMatchObject({ 'x-death-reason': 'max-deliver' });
    await deadLettered.ack();
  });

  it('nack without requeue sends a copy with the given headers to the dead-letter queue', async () => {
    const dead = await queueName();
    const queue = await queueName({ deadLetterQueue: dead });
    await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('bad'), properties: {} });
    const delivery = await nextDelivery(queue);
    expect(await delivery.nack({ requeue: false, headers: { 'x-error': 'boom' } })).toBe(true);
    const copy = await nextDelivery(dead);
    expect(copy.properties.headers).toMatchObject({ 'x-error': 'boom' });
    expect(await transport.purgeQueue(queue)).toBe(0);
  });

  it('routes fanout, direct and topic exchanges to bound queues only', async () => {
    const name = `t.nats.ex.${randomUUID()}`;
    exchanges.push(name);
    await transport.declareExchange(name, { type: 'topic' });
    expect(await transport.hasExchange(name)).toBe(true);
    expect(await transport.hasExchange(`${name}.missing`)).toBe(false);
    const users = await queueName();
    const all = await queueName();
    await transport.bindQueue(users, name, 'user.*');
    await transport.bindQueue(all, name, '#');
    for (const key of ['user.created', 'order.paid', 'user.deleted.soft']) {
      await transport.publish({ exchange: name, routingKey: key }, { body: Buffer.from(key), properties: {} });
    }
    const seen = async (queue: string, expected: number): Promise<string[]> => {
      const keys: string[] = [];
      await new Promise<void>((resolve) => {
        void transport.consume(
          queue,
          (delivery) => {
            keys.push(delivery.deliveryInfo.routingKey);
            void delivery.ack();
            if (keys.length === expected) resolve();
          },
          { prefetch: 10 },
        );
      });
      return keys.sort();
    };
    expect(await seen(users, 1)).toEqual(['user.created']);
    expect(await seen(all, 3)).toEqual(['order.paid', 'user.created', 'user.deleted.soft']);
  });

  it('rejects a publish to a queue that does not exist', async () => {
    await expect(
      transport.publish(
        { exchange: '', routingKey: `t.nats.none.${randomUUID()}` },
        { body: Buffer.from('x'), properties: {} },
      ),
    ).rejects.toMatchObject({ code: 'MS_QUEUE_UNROUTABLE' });
  });

  it('never holds more than prefetch unsettled deliveries', async () => {
    const queue = await queueName();
    for (let i = 0; i < 10; i += 1) {
      await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from(String(i)), properties: {} });
    }
    const held: Delivery[] = [];
    const subscription = await transport.consume(queue, (delivery) => held.push(delivery), { prefetch: 3 });
    await expect.poll(() => held.length, { timeout: 5000 }).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(held.length).toBe(3);
    await held[0]?.ack();
    await expect.poll(() => held.length, { timeout: 5000 }).toBe(4);
    await subscription.cancel();
    for (const delivery of held) await delivery.ack();
  });
});
