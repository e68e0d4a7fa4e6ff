/**
 * The mqtt:// transport: topic layout, settings, codec and gap detector without a broker, then the
 * emulations (requeue counts, dead-letter, routing keys, prefetch, competing member sessions) against the
 * shared Mosquitto on :1883. Every test uses its own queue names.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMqttProperties, encodeMqttProperties } from '../../src/queues/transports/mqtt/codec.js';
import { topicMatches } from '../../src/queues/transports/mqtt/control.js';
import { GapDetector } from '../../src/queues/transports/mqtt/gaps.js';
import { createMqttTransport } from '../../src/queues/transports/mqtt/index.js';
import {
  bindingTopicFilter,
  exchangeTopic,
  mqttLevel,
  queueClientId,
  routingKeyOf,
  sharedFilter,
} from '../../src/queues/transports/mqtt/names.js';
import { loadMqttModule } from '../../src/queues/transports/mqtt/peer.js';
import { mqttSettings } from '../../src/queues/transports/mqtt/settings.js';
import type { Delivery, Transport } from '../../src/queues/transports/transport.js';
import { mosquitto } from '../helpers/services.js';

describe('mqtt topics, settings and codec (no broker)', () => {
  it('escapes names into single topic levels, injectively', () => {
    expect(mqttLevel('a/b')).toBe('a%2fb');
    expect(mqttLevel('x+#$')).toMatch(/^[A-Za-z0-9._%-]+$/);
    expect(mqttLevel('a%2fb')).not.toBe(mqttLevel('a/b'));
    expect(mqttLevel('')).toBe('%');
    expect(sharedFilter('q/1', 'ms/q/q%2f1')).toBe('$share/q%2f1/ms/q/q%2f1');
    expect(queueClientId('jobs', 'w2')).toBe('msq-jobs~w2');
  });

  it('maps exchange bindings onto topic filters and routing keys back', () => {
    expect(bindingTopicFilter('ev', 'fanout', 'x')).toBe('ms/x/ev/#');
    expect(bindingTopicFilter('ev', 'direct', 'a.b')).toBe('ms/x/ev/a/b');
    expect(bindingTopicFilter('ev', 'topic', 'a.*.#')).toBe('ms/x/ev/a/+/#');
    expect(() => bindingTopicFilter('ev', 'topic', '#.a')).toThrow(/last word/);
    expect(routingKeyOf(exchangeTopic('ev', 'user.a/b.'))).toBe('user.a/b.');
    expect(topicMatches('ms/x/ev/a/#', 'ms/x/ev/a')).toBe(true);
    expect(topicMatches('ms/x/ev/a/+', 'ms/x/ev/a/b/c')).toBe(false);
  });

  it('masks the password and reads session settings from the query', () => {
    const settings = mqttSettings(new URL('mqtt://app:s3cret@broker:1999/?sessionExpiry=60&member=w1'), {});
    expect(settings.name).not.toContain('s3cret');
    expect(settings.brokerUrl).toBe('mqtt://broker:1999');
    expect(settings.password).toBe('s3cret');
    expect(settings.sessionExpirySeconds).toBe(60);
    expect(settings.member).toBe('w1');
    expect(() => mqttSettings(new URL('mqtt://broker/?sessionExpiry=0'), {})).toThrow(/positive integer/);
  });

  it('round-trips properties and the envelope, and rounds expiry up to whole seconds', () => {
    const encoded = encodeMqttProperties(
      { contentType: 'application/json', headers: { n: 1 }, expiration: 1500, messageId: 'm' },
      { deliveryCount: 3, exchange: 'ev', routingKey: 'a.b', publisher: 'p', sequence: 9 },
    );
    expect(encoded.messageExpiryInterval).toBe(2);
    const decoded = decodeMqttProperties(encoded);
    expect(decoded.properties).toMatchObject({ contentType: 'application/json', headers: { n: 1 }, messageId: 'm' });
    expect(decoded.envelope).toEqual({
      deliveryCount: 3,
      exchange: 'ev',
      routingKey: 'a.b',
      publisher: 'p',
      sequence: 9,
    });
    expect(decodeMqttProperties({ contentType: 'text/plain' }).properties).toEqual({ contentType: 'text/plain' });
  });

  it('reports gaps in sequence numbers and closes them when late messages arrive', () => {
    const gaps = new GapDetector();
    for (const sequence of [1, 2, 5, 6]) gaps.observe('p', 't', sequence);
    expect(gaps.observe('p', 't', 10)).toEqual({ from: 7, to: 9 });
    expect(gaps.report()).toEqual([
      {
        publisher: 'p',
        topic: 't',
        ranges: [
          [3, 4],
          [7, 9],
        ],
        missing: 5,
      },
    ]);
    gaps.observe('p', 't', 8);
    expect(gaps.report()[0]?.ranges).toEqual([
      [3, 4],
      [7, 7],
      [9, 9],
    ]);
    gaps.observe('other', 't', 1);
    expect(gaps.report()).toHaveLength(1);
  });

  it('fails to connect at once when reconnect is off and the broker is not there', async () => {
    const transport = await createMqttTransport(new URL('mqtt://127.0.0.1:1/'), { reconnect: { enabled: false } });
    await expect(transport.connect()).rejects.toMatchObject({ code: 'MS_QUEUE_CONNECT_FAILED' });
    expect(transport.connected).toBe(false);
    await transport.close();
  });

  it('names the package to install when mqtt is missing', async () => {
    const missing = (): Promise<never> =>
      Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' }));
    await expect(loadMqttModule(missing)).rejects.toThrow(/npm install mqtt/);
  });
});

const check = await mosquitto();

describe.skipIf(check.skip)('mqtt transport on Mosquitto', () => {
  let transport: Transport;
  const queues: string[] = [];
  const exchanges: string[] = [];

  const queueName = async (options = {}): Promise<string> => {
    const name = `t.mqtt.${randomUUID()}`;
    await transport.declareQueue(name, options);
    queues.push(name);
    return name;
  };

  beforeAll(async () => {
    transport = await createMqttTransport(new URL('mqtt://127.0.0.1:1883/?sessionExpiry=600'), {});
    await transport.connect();
  });

  afterAll(async () => {
    await transport.close();
    const cleaner = await createMqttTransport(new URL('mqtt://127.0.0.1:1883/'), {});
    await cleaner.connect();
    for (const name of queues) await cleaner.deleteQueue(name);
    for (const name of exchanges) await cleaner.deleteExchange(name);
    await cleaner.close();
  });

  it('keeps the exchange and routing key of a message that is requeued', async () => {
    const exchange = `t.mqtt.ex.${randomUUID()}`;
    exchanges.push(exchange);
    await transport.declareExchange(exchange, { type: 'topic' });
    const queue = await queueName();
    await transport.bindQueue(queue, exchange, 'user.#');
    await transport.publish({ exchange, routingKey: 'user.created' }, { body: Buffer.from('u'), properties: {} });
    const seen: Delivery[] = [];
    const subscription = await transport.consume(
      queue,
      (delivery) => {
        seen.push(delivery);
        if (seen.length === 1) void delivery.nack({ requeue: true });
        else void delivery.ack();
      },
      { prefetch: 5 },
    );
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(2);
    for (const delivery of seen) {
      expect(delivery.deliveryInfo).toMatchObject({ exchange, routingKey: 'user.created' });
    }
    expect(seen.map((delivery) => delivery.deliveryCount)).toEqual([1, 2]);
    await subscription.cancel();
  });

  it("sends the queue client's text as it is, without building the body's bytes", async () => {
    const queue = await queueName();
    const texts = ['{"a":"é😀"}', 'plain text', ''];
    const seen: string[] = [];
    const subscription = await transport.consume(
      queue,
      (delivery) => {
        seen.push(delivery.body.toString('hex'));
        void delivery.ack();
      },
      { prefetch: 5 },
    );
    for (const text of texts) {
      const message = {
        text,
        properties: {},
        get body(): Buffer {
          throw new Error('the transport read body although text was given');
        },
      };
      await transport.publish({ exchange: '', routingKey: queue }, message);
    }
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(texts.length);
    expect(seen).toEqual(texts.map((text) => Buffer.from(text, 'utf8').toString('hex')));
    await subscription.cancel();
  });

  it('lets two member sessions compete for one queue', async () => {
    const queue = `t.mqtt.${randomUUID()}`;
    const members = await Promise.all(
      ['a', 'b'].map(async (member) => {
        const memberTransport = await createMqttTransport(new URL(`mqtt://127.0.0.1:1883/?member=${member}`), {});
        await memberTransport.connect();
        await memberTransport.declareQueue(queue);
        return memberTransport;
      }),
    );
    const counts = [0, 0];
    for (const [index, member] of members.entries()) {
      await member.consume(
        queue,
        (delivery) => {
          counts[index] = (counts[index] ?? 0) + 1;
          void delivery.ack();
        },
        { prefetch: 10 },
      );
    }
    for (let i = 0; i < 20; i += 1) {
      await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from(String(i)), properties: {} });
    }
    await expect.poll(() => (counts[0] ?? 0) + (counts[1] ?? 0), { timeout: 10_000 }).toBe(20);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    for (const member of members) {
      await member.deleteQueue(queue);
      await member.close();
    }
  });

  it('issue 11: close cancels a delayed requeue, so nothing is published on the closed session', async () => {
    const queue = await queueName();
    const logged: string[] = [];
    const record = (message: string): void => {
      logged.push(message);
    };
    const logger = { trace: () => {}, debug: () => {}, info: () => {}, warn: record, error: record };
    const own = await createMqttTransport(new URL('mqtt://127.0.0.1:1883/?sessionExpiry=600'), { logger });
    await own.connect();
    await own.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('later'), properties: {} });
    const nacked: boolean[] = [];
    await own.consume(
      queue,
      (delivery) => void delivery.nack({ requeue: true, delayMs: 300 }).then((r) => nacked.push(r)),
      {
        prefetch: 1,
      },
    );
    await expect.poll(() => nacked.length, { timeout: 10_000 }).toBe(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(logged.filter((line) => /copy of message|closed/.test(line))).toEqual([]);
    // The original was never acknowledged: the queue still holds it, first of its count.
    const seen: Delivery[] = [];
    const subscription = await transport.consume(
      queue,
      (delivery) => {
        seen.push(delivery);
        void delivery.ack();
      },
      { prefetch: 5 },
    );
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);
    await subscription.cancel();
  });
});
