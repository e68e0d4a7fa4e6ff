/**
 * The amqp:// transport's own behaviour on the shared RabbitMQ, beyond the conformance suite: error codes,
 * the bounded publish buffer, acks bound to their channel, delivery counting across lost connections,
 * re-consuming after the broker cancels, and bounded timeouts. Connection faults go through an in-process
 * TCP proxy, so the shared broker itself is never disturbed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MicroservicesError } from '../../src/errors.js';
import { AmqpTransport, type AmqpTransportOptions } from '../../src/queues/transports/amqp/index.js';
import type { Delivery } from '../../src/queues/transports/transport.js';
import { outcomeWithin, waitFor } from '../conformance/helpers.js';
import { TcpProxy } from '../faults/helpers/tcp-proxy.js';
import { rabbitmq } from '../helpers/services.js';

const check = await rabbitmq();
const BROKER = new URL(process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/');
const FAST_RECONNECT = { initialDelayMs: 100, maxDelayMs: 1000 };

describe.skipIf(check.skip)('amqp:// transport on RabbitMQ', () => {
  const transports: AmqpTransport[] = [];
  const proxies: TcpProxy[] = [];
  const queues: string[] = [];
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
    const cleaner = await open();
    for (const queue of queues.splice(0)) await cleaner.deleteQueue(queue).catch(() => undefined);
    for (const transport of transports.splice(0)) await transport.close();
  });

  async function open(options: AmqpTransportOptions = {}, url: URL = BROKER): Promise<AmqpTransport> {
    const transport = new AmqpTransport(url, { reconnect: FAST_RECONNECT, ...options });
    transports.push(transport);
    await transport.connect();
    return transport;
  }
  async function proxied(options: AmqpTransportOptions = {}): Promise<{ proxy: TcpProxy; transport: AmqpTransport }> {
    const proxy = new TcpProxy(BROKER.hostname, Number(BROKER.port || 5672));
    proxies.push(proxy);
    const port = await proxy.listen();
    const url = new URL(BROKER.href);
    url.port = String(port);
    return { proxy, transport: await open(options, url) };
  }
  async function queue(transport: AmqpTransport, what: string): Promise<string> {
    const name = `amqp-test.${what}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
    queues.push(name);
    await transport.declareQueue(name);
    return name;
  }
  /** Consumes `target`, acking each delivery and collecting its body as text. */
  async function consumeBodies(transport: AmqpTransport, target: string): Promise<string[]> {
    const received: string[] = [];
    await transport.consume(
      target,
      (delivery) => {
        received.push(delivery.body.toString());
        void delivery.ack();
      },
      { prefetch: 5 },
    );
    return received;
  }
  const message = (text: string) => ({ body: Buffer.from(text), properties: { contentType: 'text/plain' } });
  const codeOf = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'resolved',
      (error: MicroservicesError) => error.code,
    );

  it('requeues a whole prefetch of deliveries at once without a listener warning (copies share one channel signal)', async () => {
    // Each requeued copy listens on its channel's "gone" signal until confirmed: 30 at once passed Node's cap
    // of 10 listeners and printed a "possible memory leak" warning on every burst of failing handlers.
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const transport = await open();
      const target = await queue(transport, 'requeue-burst');
      for (let n = 0; n < 30; n++) await transport.publish({ exchange: '', routingKey: target }, message(`m${n}`));
      const counts: number[] = [];
      await transport.consume(
        target,
        (delivery) => {
          counts.push(delivery.deliveryCount);
          if (delivery.deliveryCount === 1) void delivery.nack({ requeue: true });
          else void delivery.ack();
        },
        { prefetch: 30 },
      );
      await waitFor('60 deliveries', () => counts.length === 60);
      await new Promise((resolve) => setImmediate(resolve));
      expect(counts.filter((count) => count === 2)).toHaveLength(30);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('rejects an unroutable publish with MS_QUEUE_UNROUTABLE', async () => {
    const transport = await open();
    expect(await codeOf(transport.publish({ exchange: '', routingKey: 'amqp-test.nobody-home' }, message('x')))).toBe(
      'MS_QUEUE_UNROUTABLE',
    );
  });

  it('rejects a publish to a missing exchange with MS_QUEUE_UNKNOWN_EXCHANGE, then keeps publishing on a new channel', async () => {
    const transport = await open();
    const target = await queue(transport, 'after-404');
    expect(
      await codeOf(transport.publish({ exchange: 'amqp-test.no-such-exchange', routingKey: 'x' }, message('x'))),
    ).toBe('MS_QUEUE_UNKNOWN_EXCHANGE');
    await expect(
      transport.publish({ exchange: '', routingKey: target }, message('still works')),
    ).resolves.toBeUndefined();
    expect(await transport.purgeQueue(target)).toBe(1);
  });

  it('refuses publishes beyond the bounded buffer at once; the ones it took settle by their deadline', async () => {
    const { proxy, transport } = await proxied({ maxBufferedMessages: 10 });
    const target = await queue(transport, 'buffer');
    proxy.setMode('blackhole');
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        codeOf(transport.publish({ exchange: '', routingKey: target }, message(String(i)), { timeoutMs: 1500 })),
      ),
    );
    expect(outcomes.filter((code) => code === 'MS_QUEUE_PUBLISH_BUFFER_FULL')).toHaveLength(20);
    // The ten it took could not be confirmed through the blackhole: they time out, none resolves.
    expect(outcomes.filter((code) => code === 'MS_QUEUE_PUBLISH_TIMEOUT')).toHaveLength(10);
  });

  it('rejects an aborted publish with MS_QUEUE_PUBLISH_ABORTED', async () => {
    const transport = await open();
    const target = await queue(transport, 'abort');
    const controller = new AbortController();
    controller.abort();
    expect(
      await codeOf(
        transport.publish({ exchange: '', routingKey: target }, message('x'), { signal: controller.signal }),
      ),
    ).toBe('MS_QUEUE_PUBLISH_ABORTED');
  });

  it('an ack on a channel lost to a reset returns false; the message comes back counted, and again after a second reset', async () => {
    const { proxy, transport } = await proxied();
    const target = await queue(transport, 'stale-ack');
    const deliveries: Delivery[] = [];
    await transport.consume(target, (delivery) => deliveries.push(delivery), { prefetch: 1 });
    await transport.publish({ exchange: '', routingKey: target }, message('held'));
    await waitFor('the first delivery', () => deliveries.length === 1);
    for (const expectedCount of [2, 3]) {
      const reconnected = new Promise<void>((resolve) => transport.on('connected', resolve));
      proxy.reset();
      await reconnected;
      expect(await (deliveries[deliveries.length - 1] as Delivery).ack()).toBe(false);
      await waitFor(`delivery number ${expectedCount}`, () => deliveries.length === expectedCount);
      const again = deliveries[expectedCount - 1] as Delivery;
      expect(again.body.toString()).toBe('held');
      expect(again.deliveryCount).toBe(expectedCount);
      expect(again.deliveryInfo.redelivered).toBe(true);
    }
    expect(await (deliveries[2] as Delivery).ack()).toBe(true);
  });

  it('consumes again after the broker cancels the consumer (its queue deleted and declared anew)', async () => {
    const transport = await open();
    const other = await open();
    const target = await queue(transport, 'cancelled');
    const received = await consumeBodies(transport, target);
    await other.deleteQueue(target);
    await other.declareQueue(target);
    await other.publish({ exchange: '', routingKey: target }, message('after the cancel'));
    await waitFor('the message on the re-attached consumer', () => received.length === 1, 20_000);
    expect(received).toEqual(['after the cancel']);
  });

  it('reconnects even when a consumed queue was deleted elsewhere, and consumes it again once it is back', async () => {
    const { proxy, transport } = await proxied();
    const owner = await open();
    const target = await queue(owner, 'deleted-elsewhere');
    const received = await consumeBodies(transport, target);
    await owner.deleteQueue(target);
    const reconnected = new Promise<void>((resolve) => transport.on('connected', resolve));
    proxy.reset();
    await reconnected;
    const other = await queue(owner, 'still-publishing');
    await expect(transport.publish({ exchange: '', routingKey: other }, message('up'))).resolves.toBeUndefined();
    await owner.declareQueue(target);
    await owner.publish({ exchange: '', routingKey: target }, message('back'));
    await waitFor('the message on the recreated queue', () => received.includes('back'), 20_000);
  });

  it('times out a publish the broker never confirms, and close() does not hang on a half-open connection', async () => {
    const { proxy, transport } = await proxied({ publishTimeoutMs: 500 });
    const target = await queue(transport, 'half-open');
    proxy.setMode('blackhole');
    const started = Date.now();
    expect(await codeOf(transport.publish({ exchange: '', routingKey: target }, message('lost')))).toBe(
      'MS_QUEUE_PUBLISH_TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const closing = Date.now();
    await transport.close();
    expect(Date.now() - closing).toBeLessThan(10_000);
    expect(transport.connected).toBe(false);
  });

  it('close() does not hang on a channel close the connection died under (amqplib never settles that close)', async () => {
    // The broker cancels a consumer (its queue deleted); the consumer closes that channel and consumes again.
    // If the connection dies after the channel.close went out and before the close-ok came back, amqplib's
    // close() promise never settles, and transport.close() waited for it for ever (the A7 fault test's
    // afterEach hung on this once in CI).
    const { proxy, transport } = await proxied();
    const target = await queue(transport, 'close-in-flight');
    await transport.consume(target, (delivery) => void delivery.ack(), { prefetch: 1 });
    proxy.setMode('mute');
    const cleaner = await open();
    await cleaner.deleteQueue(target);
    // The basic.cancel reaches the consumer, its channel.close does not reach the broker.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reconnected = new Promise<void>((resolve) => transport.on('connected', resolve));
    proxy.setMode('pass');
    proxy.reset();
    await reconnected;
    expect(await outcomeWithin(transport.close(), 10_000)).toBe('resolved');
  });

  it('reports reconnecting while the broker is unreachable, then connected with the consumer back', async () => {
    const { proxy, transport } = await proxied();
    const target = await queue(transport, 'reconnect');
    const received = await consumeBodies(transport, target);
    const attempts: number[] = [];
    transport.on('reconnecting', (attempt) => attempts.push(attempt));
    const reconnected = new Promise<void>((resolve) => transport.on('connected', resolve));
    proxy.setMode('down');
    await waitFor('two reconnect attempts', () => attempts.length >= 2);
    proxy.setMode('pass');
    await reconnected;
    expect(attempts.slice(0, 2)).toEqual([1, 2]);
    const direct = await open();
    await direct.publish({ exchange: '', routingKey: target }, message('after reconnect'));
    await waitFor('the message after reconnecting', () => received.includes('after reconnect'));
  });

  it('gives up with MS_QUEUE_CONNECT_FAILED when reconnect is disabled and nothing listens', async () => {
    const transport = new AmqpTransport(new URL('amqp://guest:guest@127.0.0.1:1/'), { reconnect: { enabled: false } });
    transports.push(transport);
    expect(await codeOf(transport.connect())).toBe('MS_QUEUE_CONNECT_FAILED');
    expect(transport.name).toBe('amqp://guest:**@127.0.0.1:1/');
  });
});
