/** How the amqp:// transport reads its URL and maps message properties (no broker needed). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_COUNT_HEADER,
  deliveryCountOf,
  fromAmqpProperties,
  toPublishOptions,
} from '../../src/queues/transports/amqp/codec.js';
import { amqpEndpoint } from '../../src/queues/transports/amqp/settings.js';
import type { MessageProperties } from '../../src/queues/transports/transport.js';
import { wireRoundTrip } from './helpers/amqp-wire.js';

describe('amqp:// URLs', () => {
  it("reads the seed's default URL: vhost '/', guest credentials, password masked in the name", () => {
    const endpoint = amqpEndpoint(new URL('amqp://guest:guest@localhost:5672//'), 10);
    expect(endpoint.connect).toMatchObject({
      protocol: 'amqp',
      hostname: 'localhost',
      port: 5672,
      username: 'guest',
      password: 'guest',
      vhost: '/',
      heartbeat: 10,
    });
    expect(endpoint.name).toBe('amqp://guest:**@localhost:5672//');
    expect(endpoint.connectionName).toBe(endpoint.name);
  });

  it('decodes the vhost and credentials, and defaults the port by scheme', () => {
    const plain = amqpEndpoint(new URL('amqp://us%40er:p%3Ass@broker/my%2Fvhost'), 10).connect;
    expect(plain).toMatchObject({ username: 'us@er', password: 'p:ss', vhost: 'my/vhost', port: 5672 });
    expect(amqpEndpoint(new URL('amqps://broker'), 10).connect).toMatchObject({
      protocol: 'amqps',
      port: 5671,
      vhost: '/',
    });
    expect(amqpEndpoint(new URL('amqp://broker'), 10).connect).toMatchObject({ username: 'guest', password: 'guest' });
  });

  it('takes heartbeat, frame_max and connection_name from the query, and never shows the password', () => {
    const endpoint = amqpEndpoint(
      new URL('amqp://app:s3cret@broker:5673/?heartbeat=3&frame_max=8192&connection_name=orders'),
      10,
    );
    expect(endpoint.connect).toMatchObject({ heartbeat: 3, frameMax: 8192, port: 5673 });
    expect(endpoint.connectionName).toBe('orders');
    expect(endpoint.name).not.toContain('s3cret');
    expect(amqpEndpoint(new URL('amqp://h/?heartbeat='), 7).connect.heartbeat).toBe(7);
    // issue 11: one URL parser for every transport, so a bad number is refused rather than ignored.
    expect(() => amqpEndpoint(new URL('amqp://h/?heartbeat=x'), 7)).toThrow(
      expect.objectContaining({ code: 'MS_QUEUE_BAD_URL', message: expect.stringMatching(/heartbeat.*whole number/) }),
    );
  });
});

describe('AMQP message properties', () => {
  it('publishes persistent and mandatory by default, and the timestamp in seconds', () => {
    const options = toPublishOptions({ timestamp: 1_700_000_000_999, expiration: 1500 });
    expect(options).toMatchObject({ persistent: true, mandatory: true, timestamp: 1_700_000_000, expiration: '1500' });
    expect(toPublishOptions({ persistent: false }).persistent).toBe(false);
  });

  it('round-trips every property through the AMQP representation', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 });
    const properties = fc.record(
      {
        contentType: text,
        contentEncoding: text,
        headers: fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.double({ noNaN: true }), fc.constant(null)),
        ),
        messageId: text,
        correlationId: text,
        replyTo: text,
        expiration: fc.integer({ min: 0, max: 1_000_000 }),
        priority: fc.integer({ min: 0, max: 9 }),
        timestamp: fc.integer({ min: 0, max: 4_000_000_000 }).map((seconds) => seconds * 1000),
        type: text,
        appId: text,
        persistent: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(properties, (given: MessageProperties) => {
        // Through the bytes amqplib writes and this transport reads, as on a real connection.
        const received = fromAmqpProperties(
          wireRoundTrip(toPublishOptions(given)) as unknown as Parameters<typeof fromAmqpProperties>[0],
        );
        const { persistent, ...rest } = given;
        expect(received).toEqual({ ...rest, persistent: persistent ?? true });
      }),
      { seed: 20261128, numRuns: 200 },
    );
  });

  it('counts deliveries from the republished-copy header, the quorum counter or the redelivered flag', () => {
    expect(deliveryCountOf(undefined, false)).toBe(1);
    expect(deliveryCountOf(undefined, true)).toBe(2);
    expect(deliveryCountOf({ [DELIVERY_COUNT_HEADER]: 3 }, false)).toBe(4);
    expect(deliveryCountOf({ [DELIVERY_COUNT_HEADER]: 3 }, true)).toBe(5);
    expect(deliveryCountOf({ 'x-delivery-count': 2 }, true)).toBe(3);
    expect(deliveryCountOf({ [DELIVERY_COUNT_HEADER]: 'junk' }, false)).toBe(1);
  });
});
