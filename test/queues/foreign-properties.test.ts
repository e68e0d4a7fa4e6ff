/**
 * Issue 10 item 7: properties carried as JSON (MQTT user property `ms-properties`, NATS header
 * `Ms-Properties`, Redis stream field `p`) come from any producer. A foreign message whose properties have
 * the wrong types (`{"contentType":5}`) must be handled or dead-lettered with well-typed properties, and the
 * transport must keep working: on MQTT the copy used to keep `contentType: 5`, the broker dropped the
 * publisher every second, and retries and dead-letters stalled for every queue.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DEAD_LETTER_HEADERS, type HandlerContext, Microservice } from '../../src/queues/index.js';
import { sanitizeProperties } from '../../src/queues/transports/core/properties.js';
import { queueTopic } from '../../src/queues/transports/mqtt/names.js';
import { queueSubject } from '../../src/queues/transports/nats/names.js';
import { redisKeys } from '../../src/queues/transports/redis/names.js';
import { waitFor } from '../conformance/helpers.js';
import { mosquitto, nats, redis } from '../helpers/services.js';

const FOREIGN = JSON.stringify({ contentType: 5, priority: 'high', headers: 'nope', expiration: 'soon', messageId: 7 });

describe('sanitizeProperties', () => {
  it('keeps each field only with its documented type', () => {
    expect(sanitizeProperties(JSON.parse(FOREIGN))).toEqual({});
    expect(sanitizeProperties({ contentType: 'text/plain', priority: 3, headers: { a: 1 }, persistent: true })).toEqual(
      {
        contentType: 'text/plain',
        priority: 3,
        headers: { a: 1 },
        persistent: true,
      },
    );
    expect(sanitizeProperties({ priority: 1000, expiration: -1, timestamp: Number.NaN })).toEqual({});
    expect(sanitizeProperties([1])).toEqual({});
    expect(sanitizeProperties('x')).toEqual({});
  });
});

type Inject = (queue: string, body: Buffer) => Promise<void>;

interface Case {
  readonly label: string;
  readonly check: typeof redis;
  readonly url: string;
  readonly inject: Inject;
}

const cases: Case[] = [
  {
    label: 'mqtt',
    check: mosquitto,
    url: 'mqtt://127.0.0.1:1883/?sessionExpiry=600',
    inject: async (queue, body) => {
      const mqtt = await import('mqtt');
      const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
      await client.publishAsync(queueTopic(queue), body, {
        qos: 1,
        properties: { userProperties: { 'ms-properties': FOREIGN } },
      });
      await client.endAsync();
    },
  },
  {
    label: 'nats',
    check: nats,
    url: 'nats://127.0.0.1:4222/?ackWaitMs=5000',
    inject: async (queue, body) => {
      const { connect, headers } = await import('@nats-io/transport-node');
      const { jetstream } = await import('@nats-io/jetstream');
      const connection = await connect({ servers: '127.0.0.1:4222' });
      const set = headers();
      set.set('Ms-Properties', FOREIGN);
      await jetstream(connection).publish(queueSubject(queue), body, { headers: set });
      await connection.close();
    },
  },
  {
    label: 'redis',
    check: redis,
    url: 'redis://127.0.0.1:6379/11?prefix=foreign:&minIdleMs=5000&claimIntervalMs=200',
    inject: async (queue, body) => {
      const { Redis } = await import('ioredis');
      const client = new Redis({ host: '127.0.0.1', port: 6379, db: 11 });
      await client.xadd(redisKeys('foreign:').stream(queue), '*', 'b', body, 'p', FOREIGN, 'x', '', 'k', queue);
      client.disconnect();
    },
  },
];

for (const { label, check, url, inject } of cases) {
  describe.skipIf((await check()).skip)(`issue 10 item 7 on ${label}: foreign property types`, () => {
    let app: Microservice | undefined;
    const queue = `foreign-${label}-${randomBytes(4).toString('hex')}`;

    afterEach(async () => {
      await app?.stop();
      const cleaner = new Client({ connection: url });
      await cleaner.deleteQueue(queue).catch(() => {});
      await cleaner.deleteQueue(`${queue}.dead-letter`).catch(() => {});
      await cleaner.close();
    });

    it('dead-letters the message with well-typed properties, and the transport keeps working', async () => {
      app = new Microservice({ connection: url, retry: { maxRetries: 0 }, drainTimeout: 2000 });
      const handled: unknown[] = [];
      app.queue(queue, (payload) => {
        if (payload === 'foreign') throw new Error('refuse the foreign one');
        handled.push(payload);
      });
      const dead: HandlerContext[] = [];
      app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false, raw: true });
      await app.ready();
      await inject(queue, Buffer.from('foreign'));
      void app.run();
      await waitFor('the dead letter', () => dead.length === 1, 15_000);
      const letter = dead[0] as HandlerContext;
      expect(letter.message.headers[DEAD_LETTER_HEADERS.reason]).toBe('handler-error');
      expect(letter.message.contentType).toBeUndefined();
      expect(letter.message.properties.priority).toBeUndefined();
      const client = new Client({ connection: url });
      try {
        for (let i = 0; i < 5; i += 1) await client.queue(queue).publish(i, { timeoutMs: 5000 });
      } finally {
        await client.close();
      }
      await waitFor('the later messages', () => handled.length === 5, 15_000);
    });
  });
}
