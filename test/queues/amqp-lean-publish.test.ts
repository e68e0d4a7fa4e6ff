/**
 * The AMQP transport's publishes carry no empty header table (issue 16): amqplib's `publish` always writes
 * one, and RabbitMQ parses and stores it with every message. Everything else on the wire stays as
 * amqplib would write it: the frame is compared with amqplib's own `Args.publish`, and read back from RabbitMQ
 * by raw amqplib.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpTransport } from '../../src/queues/transports/amqp/index.js';
import { publishConfirmed } from '../../src/queues/transports/amqp/lean-publish.js';
import { rabbitmq } from '../helpers/services.js';

const URL_TEXT = 'amqp://guest:guest@127.0.0.1:5672/';

describe('the lean publish frame (issue 16)', () => {
  const require = createRequire(import.meta.url);
  const args = require(join(dirname(require.resolve('amqplib')), 'lib', 'api_args.js')) as {
    publish(exchange: string, routingKey: string, options: object): Record<string, unknown>;
  };

  /** The frame `publishConfirmed` hands to a channel's `sendMessage`. */
  function leanFrame(options: object): Record<string, unknown> {
    let sent: Record<string, unknown> = {};
    const channel = {
      sendMessage(fields: Record<string, unknown>) {
        sent = fields;
        return true;
      },
      pushConfirmCallback() {},
    };
    publishConfirmed(channel as never, 'x', 'key', Buffer.from('{}'), options, () => {});
    return sent;
  }

  const cases: Array<[string, object]> = [
    ['no options', {}],
    [
      'persistent JSON with an id',
      { persistent: true, mandatory: true, contentType: 'application/json', messageId: 'm-1' },
    ],
    [
      'every property',
      {
        persistent: false,
        mandatory: true,
        contentType: 'text/plain',
        contentEncoding: 'utf-16le',
        headers: { h: 1 },
        priority: 3,
        correlationId: 'c',
        replyTo: 'r',
        expiration: '1500',
        messageId: 'm',
        timestamp: 1_700_000_000,
        type: 't',
        userId: 'guest',
        appId: 'a',
      },
    ],
    ['a numeric deliveryMode', { deliveryMode: 1 }],
    ['a truthy deliveryMode', { deliveryMode: true }],
    ['a numeric expiration', { expiration: 2000 }],
  ];
  it.each(cases)('matches amqplib field for field except the empty header table: %s', (_what, options) => {
    const { headers: amqplibHeaders, ...amqplibRest } = args.publish('x', 'key', options);
    const { headers, ...rest } = leanFrame(options);
    expect(rest).toEqual(amqplibRest);
    // amqplib's table inherits the caller's headers (it encodes them with for...in).
    const inherited: Record<string, unknown> = {};
    for (const key in amqplibHeaders as object) inherited[key] = (amqplibHeaders as Record<string, unknown>)[key];
    if (Object.keys(inherited).length === 0) expect(headers).toBeUndefined();
    else expect(headers).toEqual(inherited);
  });

  it("falls back to the channel's own publish when it lacks the two steps", () => {
    const calls: unknown[][] = [];
    const channel = {
      publish: (...call: unknown[]) => {
        calls.push(call);
        return false;
      },
    };
    const confirm = (): void => {};
    const body = Buffer.from('x');
    expect(publishConfirmed(channel as never, 'x', 'key', body, { persistent: true }, confirm)).toBe(false);
    expect(calls).toEqual([['x', 'key', body, { persistent: true }, confirm]]);
  });
});

const check = await rabbitmq();

describe.skipIf(check.skip)('lean publishes on RabbitMQ (issue 16)', () => {
  const transport = new AmqpTransport(new URL(URL_TEXT), {});
  let connection: amqplib.ChannelModel;
  let channel: amqplib.Channel;
  const queues: string[] = [];

  beforeAll(async () => {
    await transport.connect();
    connection = await amqplib.connect(URL_TEXT);
    channel = await connection.createChannel();
  });
  afterAll(async () => {
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => undefined);
    await connection.close();
    await transport.close();
  });

  async function queue(): Promise<string> {
    const name = `t.lean.${randomUUID()}`;
    queues.push(name);
    await channel.assertQueue(name, { durable: true });
    return name;
  }

  async function received(name: string): Promise<amqplib.GetMessage> {
    for (let tries = 0; tries < 50; tries++) {
      const message = await channel.get(name, { noAck: true });
      if (message) return message;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`nothing arrived in ${name}`);
  }

  it('a message without headers arrives with no header table, persistent, with its id and type', async () => {
    const name = await queue();
    await transport.publish(
      { exchange: '', routingKey: name },
      { body: Buffer.from('{"a":1}'), properties: { contentType: 'application/json', messageId: 'lean-1' } },
    );
    const message = await received(name);
    expect(message.properties.headers).toBeUndefined();
    expect(message.properties).toMatchObject({ deliveryMode: 2, messageId: 'lean-1', contentType: 'application/json' });
    expect(message.content.toString()).toBe('{"a":1}');
  });

  it('headers, priority, expiration and a transient mode still travel', async () => {
    const name = await queue();
    await transport.publish(
      { exchange: '', routingKey: name },
      {
        body: Buffer.from('x'),
        properties: {
          contentType: 'text/plain',
          headers: { tenant: 'acme', count: 3 },
          priority: 4,
          expiration: 60_000,
          persistent: false,
          correlationId: 'c-1',
        },
      },
    );
    const message = await received(name);
    expect(message.properties).toMatchObject({
      headers: { tenant: 'acme', count: 3 },
      priority: 4,
      expiration: '60000',
      deliveryMode: 1,
      correlationId: 'c-1',
      contentType: 'text/plain',
    });
  });

  it('a message no queue takes is still returned and refused (mandatory kept)', async () => {
    const outcome = await transport
      .publish(
        { exchange: '', routingKey: `t.lean.nowhere.${randomUUID()}` },
        { body: Buffer.from('x'), properties: {} },
      )
      .then(
        () => 'confirmed',
        (error: { code?: string }) => error.code,
      );
    expect(outcome).toBe('MS_QUEUE_UNROUTABLE');
  });
});
