/**
 * RELIABILITY.md A8 on a dedicated RabbitMQ node: publishes the broker refuses (unroutable with
 * `mandatory`, or held back by a memory alarm) never resolve as success.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MicroservicesError } from '../../src/errors.js';
import { faultQueue, ledgerMessage, TransportPool } from './helpers/amqp-fixture.js';
import { Ledger, messageIds, until } from './helpers/ledger.js';
import {
  chaosCtl,
  chaosNodeCheck,
  ensureChaosAppRunning,
  setChaosMemoryWatermark,
  startChaosNode,
  stopChaosNode,
} from './helpers/rabbitmq-node.js';

const check = chaosNodeCheck();
/** RabbitMQ's default watermark, restored after every alarm test. */
const DEFAULT_WATERMARK = 0.4;

describe.skipIf(check.skip)('AMQP refused publishes (dedicated node chaos@localhost:5673)', () => {
  const pool = new TransportPool();
  beforeAll(async () => {
    await startChaosNode();
  });
  afterEach(async () => {
    await setChaosMemoryWatermark(DEFAULT_WATERMARK);
    await pool.closeAll();
  });
  afterAll(async () => {
    await setChaosMemoryWatermark(DEFAULT_WATERMARK).catch(() => undefined);
    await ensureChaosAppRunning().catch(() => undefined);
    await stopChaosNode();
  });

  it('A8a: 100 mandatory publishes to an exchange without bindings all reject as unroutable, none resolves', async () => {
    const transport = await pool.connect();
    const exchange = faultQueue('a8-exchange');
    await transport.declareExchange(exchange, { type: 'direct' });
    const ledger = new Ledger();
    await Promise.all(
      messageIds('a8a', 100).map((id) =>
        ledger.publish(id, () => transport.publish({ exchange, routingKey: 'nobody' }, ledgerMessage(id))),
      ),
    );
    const codes = new Set<string>();
    await Promise.all(
      messageIds('a8a-code', 5).map((id) =>
        transport
          .publish({ exchange, routingKey: 'nobody' }, ledgerMessage(id))
          .catch((error: MicroservicesError) => codes.add(error.code)),
      ),
    );
    const verdict = ledger.verdict();
    expect(verdict.confirmed).toBe(0);
    expect(verdict.rejected).toBe(100);
    expect([...codes]).toEqual(['MS_QUEUE_UNROUTABLE']);
    await transport.deleteExchange(exchange);
  });

  it('A8b: under a memory alarm publishes are blocked, time out or wait in the bounded buffer, and confirm once it clears', async () => {
    const queue = faultQueue('a8b');
    const transport = await pool.connect({ maxBufferedMessages: 500 });
    await transport.declareQueue(queue);
    const events: string[] = [];
    transport.on('blocked', (reason) => events.push(`blocked:${reason}`));
    transport.on('unblocked', () => events.push('unblocked'));
    const heapBefore = process.memoryUsage().heapUsed;

    await setChaosMemoryWatermark(0.000001);
    // RabbitMQ blocks a connection when it next publishes; this first publish trips it and times out.
    const started = Date.now();
    const shortLived = new Ledger();
    const shortIds = messageIds('a8b-short', 20);
    await Promise.all(
      shortIds.map((id) =>
        shortLived.publish(id, () =>
          transport.publish({ exchange: '', routingKey: queue }, ledgerMessage(id), { timeoutMs: 5000 }),
        ),
      ),
    );
    const elapsed = Date.now() - started;
    console.info(`A8b: 20 publishes under the alarm settled after ${elapsed} ms; events ${events.join(', ')}`);
    expect(shortLived.verdict().confirmed).toBe(0);
    expect(shortLived.verdict().rejected).toBe(20);
    expect([...shortLived.rejectionReasons().keys()].every((reason) => reason.includes('did not confirm'))).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(4500);
    expect(elapsed).toBeLessThan(8000);
    await until('the blocked event', () => events.some((event) => event.startsWith('blocked')), 10_000);

    // Publishes with a longer deadline wait in the bounded buffer, which refuses what does not fit.
    const waiting = new Ledger();
    const waitingIds = messageIds('a8b-wait', 600);
    const settled = waitingIds.map((id) =>
      waiting.publish(id, () =>
        transport.publish({ exchange: '', routingKey: queue }, ledgerMessage(id, { pad: 'x'.repeat(512) }), {
          timeoutMs: 30_000,
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(waiting.verdict().rejected).toBe(100);
    expect([...waiting.rejectionReasons().keys()].every((reason) => reason.includes('buffer full'))).toBe(true);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    console.info(`A8b: heap growth while blocked ${(heapGrowth / 1024 / 1024).toFixed(1)} MB`);
    expect(heapGrowth).toBeLessThan(50 * 1024 * 1024);

    await setChaosMemoryWatermark(DEFAULT_WATERMARK);
    await Promise.all(settled);
    await until('the unblocked event', () => events.includes('unblocked'), 10_000);
    const verdict = waiting.verdict();
    expect(verdict.confirmed).toBe(500);
    expect(verdict.pending).toBe(0);
    await transport.deleteQueue(queue);
  });

  it('A8c / issue 10 item 5: a message over the broker max_message_size (406) fails once, for good; the publishes behind it confirm', async () => {
    // RabbitMQ reads max_message_size when a channel opens: set it to 1 MiB before connecting.
    await chaosCtl(['eval', 'application:set_env(rabbit, max_message_size, 1048576).']);
    try {
      const queue = faultQueue('a8c');
      // The transport's own limit stays at its 128 MiB default, so only the broker refuses the 2 MiB body.
      const transport = await pool.connect();
      await transport.declareQueue(queue);
      const started = Date.now();
      const big = transport
        .publish(
          { exchange: '', routingKey: queue },
          { body: Buffer.alloc(2 * 1024 * 1024), properties: {} },
          {
            timeoutMs: 15_000,
          },
        )
        .then(
          () => 'confirmed',
          (error: MicroservicesError) => `${error.code}: ${error.message}`,
        );
      const ledger = new Ledger();
      await Promise.all(
        messageIds('a8c', 200).map((id) =>
          ledger.publish(id, () => transport.publish({ exchange: '', routingKey: queue }, ledgerMessage(id))),
        ),
      );
      const outcome = await big;
      const elapsed = Date.now() - started;
      console.info(`A8c: ${outcome} after ${elapsed} ms`);
      expect(outcome).toBe(
        "MS_QUEUE_MESSAGE_TOO_LARGE: The message of 2 MiB exceeds the broker's max_message_size of 1 MiB (406); it was not sent again",
      );
      // Before: resent on every new channel until its deadline, holding the others behind it.
      expect(elapsed).toBeLessThan(5000);
      expect(ledger.verdict()).toMatchObject({ confirmed: 200, rejected: 0, pending: 0 });
      await transport.deleteQueue(queue);
    } finally {
      await chaosCtl(['eval', 'application:set_env(rabbit, max_message_size, 134217728).']);
    }
  });
});
