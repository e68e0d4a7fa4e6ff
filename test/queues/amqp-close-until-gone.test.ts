/**
 * closeUntilGone: amqplib settles `close()` only on the broker's close-ok, so a channel or connection whose
 * connection dies while its close is in flight was awaited for ever. These run amqplib itself against
 * RabbitMQ through a fault proxy that drops what the client sends (`mute`), so the close-ok never comes.
 */
import amqplib, { type ChannelModel } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { closeUntilGone } from '../../src/queues/transports/amqp/close-until-gone.js';
import { outcomeWithin } from '../conformance/helpers.js';
import { TcpProxy } from '../faults/helpers/tcp-proxy.js';
import { rabbitmq } from '../helpers/services.js';

const check = await rabbitmq();
const BROKER = new URL(process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/');

describe.skipIf(check.skip)('closeUntilGone (amqplib against RabbitMQ)', () => {
  const proxies: TcpProxy[] = [];
  const models: ChannelModel[] = [];
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
    for (const model of models.splice(0)) await outcomeWithin(model.close(), 1000);
  });

  async function connectThroughProxy(): Promise<{ proxy: TcpProxy; model: ChannelModel }> {
    const proxy = new TcpProxy(BROKER.hostname, Number(BROKER.port || 5672));
    proxies.push(proxy);
    const url = new URL(BROKER.href);
    url.port = String(await proxy.listen());
    const model = await amqplib.connect(url.href);
    model.on('error', () => undefined);
    models.push(model);
    return { proxy, model };
  }

  it('amqplib alone never settles a channel close the connection died under (the reason for the helper)', async () => {
    const { proxy, model } = await connectThroughProxy();
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    proxy.setMode('mute');
    const closing = channel.close();
    proxy.reset();
    expect(await outcomeWithin(closing, 1500)).toBe('pending');
  });

  it('resolves a channel close once the connection dies, without the close-ok', async () => {
    const { proxy, model } = await connectThroughProxy();
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    proxy.setMode('mute');
    const closing = closeUntilGone(channel);
    proxy.reset();
    expect(await outcomeWithin(closing, 1500)).toBe('resolved');
  });

  it('resolves a connection close once the connection dies, without the close-ok', async () => {
    const { proxy, model } = await connectThroughProxy();
    proxy.setMode('mute');
    const closing = closeUntilGone(model);
    proxy.reset();
    expect(await outcomeWithin(closing, 1500)).toBe('resolved');
  });

  it('resolves for a channel already closed and for a clean close the broker answers', async () => {
    const { model } = await connectThroughProxy();
    const channel = await model.createChannel();
    await closeUntilGone(channel);
    expect(await outcomeWithin(closeUntilGone(channel), 1500)).toBe('resolved');
    expect(await outcomeWithin(closeUntilGone(model), 1500)).toBe('resolved');
  });
});
