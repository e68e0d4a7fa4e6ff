/**
 * The AMQP consumer's ack batch (channel-acks.ts): the acks of one turn leave as one `multiple` ack where that
 * covers only acked deliveries, and never cover a delivery still being handled or already nacked.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelAcks } from '../../src/queues/transports/amqp/channel-acks.js';
import { AmqpTransport } from '../../src/queues/transports/amqp/index.js';
import type { Delivery } from '../../src/queues/transports/transport.js';
import { waitFor } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';

/** A channel stand-in recording what the batch writes: `ack 7` or `ack 7 multiple`. */
function recordingChannel(failing = false): { channel: Channel; frames: string[] } {
  const frames: string[] = [];
  const channel = {
    ack(message: ConsumeMessage, allUpTo?: boolean) {
      if (failing) throw new Error('Channel closed');
      frames.push(`ack ${message.fields.deliveryTag}${allUpTo ? ' multiple' : ''}`);
    },
  } as unknown as Channel;
  return { channel, frames };
}

function message(tag: number): ConsumeMessage {
  return { fields: { deliveryTag: tag } } as unknown as ConsumeMessage;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ChannelAcks', () => {
  it('sends the acks of one turn as one multiple ack, at the end of the turn', async () => {
    const { channel, frames } = recordingChannel();
    const acks = new ChannelAcks(channel, () => undefined);
    const messages = Array.from({ length: 100 }, (_, index) => message(index + 1));
    for (const each of messages) acks.received(each);
    for (const each of messages) acks.ack(each);
    expect(frames).toEqual([]);
    await turn();
    expect(frames).toEqual(['ack 100 multiple']);
  });

  it('never covers a delivery still being handled: acks behind it go one by one, the rest later', async () => {
    const { channel, frames } = recordingChannel();
    const acks = new ChannelAcks(channel, () => undefined);
    for (let tag = 1; tag <= 6; tag++) acks.received(message(tag));
    for (const tag of [1, 2, 4, 6]) acks.ack(message(tag));
    await turn();
    expect(frames).toEqual(['ack 2 multiple', 'ack 4', 'ack 6']);
    frames.length = 0;
    acks.ack(message(3));
    acks.ack(message(5));
    await turn();
    expect(frames).toEqual(['ack 5 multiple']);
  });

  it('a single ack is not sent as multiple', async () => {
    const { channel, frames } = recordingChannel();
    const acks = new ChannelAcks(channel, () => undefined);
    acks.received(message(1));
    acks.received(message(2));
    acks.ack(message(1));
    await turn();
    expect(frames).toEqual(['ack 1']);
  });

  it('passes over a forgotten (nacked) delivery: the broker no longer holds it', async () => {
    const { channel, frames } = recordingChannel();
    const acks = new ChannelAcks(channel, () => undefined);
    for (let tag = 1; tag <= 3; tag++) acks.received(message(tag));
    acks.forget(message(2));
    acks.ack(message(1));
    acks.ack(message(3));
    await turn();
    expect(frames).toEqual(['ack 3 multiple']);
  });

  it('flush() sends at once (before a channel close), and the scheduled flush then has nothing left', async () => {
    const { channel, frames } = recordingChannel();
    const acks = new ChannelAcks(channel, () => undefined);
    acks.received(message(1));
    acks.ack(message(1));
    acks.flush();
    expect(frames).toEqual(['ack 1']);
    await turn();
    expect(frames).toEqual(['ack 1']);
  });

  it('an ack of a delivery it never saw goes out at once', () => {
    const { channel, frames } = recordingChannel();
    new ChannelAcks(channel, () => undefined).ack(message(9));
    expect(frames).toEqual(['ack 9']);
  });

  it('reports a channel that closed under the batch, and keeps nothing', async () => {
    const { channel } = recordingChannel(true);
    const errors: unknown[] = [];
    const acks = new ChannelAcks(channel, (error) => errors.push(error));
    acks.received(message(1));
    acks.ack(message(1));
    await turn();
    expect(errors).toHaveLength(1);
    acks.flush();
    expect(errors).toHaveLength(1);
  });
});

const check = await rabbitmq();
const BROKER = new URL(process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/');

describe.skipIf(check.skip)('ChannelAcks on RabbitMQ', () => {
  const transports: AmqpTransport[] = [];
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
  });
  async function open(): Promise<AmqpTransport> {
    const transport = new AmqpTransport(BROKER, {});
    transports.push(transport);
    await transport.connect();
    return transport;
  }

  it('a delivery held by its handler while later ones are acked comes back after the consumer goes, and only it', async () => {
    const producer = await open();
    const queue = `amqp-test.acks.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
    await producer.declareQueue(queue);
    try {
      const total = 50;
      for (let index = 0; index < total; index++) {
        await producer.publish(
          { exchange: '', routingKey: queue },
          { body: Buffer.from(String(index)), properties: {} },
        );
      }
      const first = await open();
      const handled: string[] = [];
      await first.consume(
        queue,
        (delivery: Delivery) => {
          const body = delivery.body.toString();
          handled.push(body);
          // Message 0 is held (never settled); every other one is acked in the turn it arrives.
          if (body !== '0') void delivery.ack();
        },
        { prefetch: 100 },
      );
      await waitFor('every message handled once', () => handled.length === total);
      await first.close();

      const second = await open();
      const again: string[] = [];
      await second.consume(
        queue,
        (delivery: Delivery) => {
          again.push(delivery.body.toString());
          void delivery.ack();
        },
        { prefetch: 100 },
      );
      await waitFor('the held message redelivered', () => again.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(again).toEqual(['0']);
    } finally {
      await producer.deleteQueue(queue).catch(() => undefined);
    }
  });
});
