/**
 * RELIABILITY.md A2 and A7 on a dedicated RabbitMQ node: publishers and consumers across killed
 * connections, and a half-open connection (a fault proxy dropping every byte) found by heartbeats.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faultQueue, ledgerMessage, nextConnected, TransportPool } from './helpers/amqp-fixture.js';
import { consumeIntoLedger, Ledger, messageIds, publishWindowed, until } from './helpers/ledger.js';
import {
  CHAOS_PORT,
  chaosNodeCheck,
  chaosQueueStats,
  chaosUrl,
  closeAllChaosConnections,
  ensureChaosAppRunning,
  startChaosNode,
  stopChaosNode,
} from './helpers/rabbitmq-node.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

const check = chaosNodeCheck();

describe.skipIf(check.skip)('AMQP connection faults (dedicated node chaos@localhost:5673)', () => {
  const pool = new TransportPool();
  const proxies: TcpProxy[] = [];
  beforeAll(async () => {
    await startChaosNode();
  });
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
    await pool.closeAll();
  });
  afterAll(async () => {
    await ensureChaosAppRunning().catch(() => undefined);
    await stopChaosNode();
  });

  it('A2: 5000 publishes (100 unconfirmed at most) through two connection resets: 0 lost, duplicates bounded, every publish settled', async () => {
    const queue = faultQueue('a2');
    // Resets through the proxy are instant, so they land mid-stream however fast the publisher runs.
    const proxy = new TcpProxy('127.0.0.1', CHAOS_PORT);
    proxies.push(proxy);
    const port = await proxy.listen();
    const publisher = await pool.connect({ publishTimeoutMs: 30_000 }, chaosUrl(port));
    const consumer = await pool.connect({}, chaosUrl(port));
    await publisher.declareQueue(queue);
    let publisherDisconnects = 0;
    publisher.on('disconnected', () => publisherDisconnects++);
    const ledger = new Ledger();
    await consumeIntoLedger(consumer, queue, ledger, { prefetch: 200 });
    const ids = messageIds('a2', 5000);
    let resets = 0;
    await publishWindowed(
      ledger,
      ids,
      100,
      (id) => publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id)),
      (settled) => {
        if (settled === 1500 || settled === 3000) {
          resets++;
          proxy.reset();
        }
      },
    );
    const verdict = ledger.verdict();
    expect(resets).toBe(2);
    expect(publisherDisconnects).toBe(2);
    expect(verdict.pending).toBe(0);
    await until('every confirmed message consumed', () => ledger.complete, 60_000);
    // Redeliveries of unacked messages to the reconnected consumer may come a little later; let them land.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.info(ledger.summary('A2'), `rejections: ${JSON.stringify([...ledger.rejectionReasons()])}`);
    const final = ledger.verdict();
    expect(final.lost).toEqual([]);
    expect(final.confirmed).toBe(5000);
    // Resends reuse the messageId, so duplicates show up as repeated ids: at most the unconfirmed window
    // per reset, plus the consumer's unacked window per reset.
    expect(final.duplicates).toBeLessThanOrEqual(2 * 100 + 2 * 200);
    await publisher.deleteQueue(queue);
  });

  it('A2b: operator connection kills (rabbitmqctl close_all_connections) mid-stream lose nothing', async () => {
    const queue = faultQueue('a2b');
    const publisher = await pool.connect({ publishTimeoutMs: 30_000 });
    const consumer = await pool.connect();
    await publisher.declareQueue(queue);
    const ledger = new Ledger();
    await consumeIntoLedger(consumer, queue, ledger, { prefetch: 200 });
    let publisherDisconnects = 0;
    publisher.on('disconnected', () => publisherDisconnects++);
    // Publish continuously until the two kills have happened, so that they land mid-stream.
    let killsDone = false;
    const kills = (async () => {
      await until('some messages confirmed', () => ledger.confirmedCount >= 300, 30_000);
      await closeAllChaosConnections();
      await until('more messages confirmed', () => ledger.confirmedCount >= 1500, 30_000);
      await closeAllChaosConnections();
      killsDone = true;
    })();
    const ids = messageIds('a2b', 50_000);
    let killsDoneAt = Number.POSITIVE_INFINITY;
    void kills.then(() => {
      killsDoneAt = ledger.confirmedCount;
    });
    await publishWindowed(
      ledger,
      ids,
      100,
      (id) => publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id)),
      () => {},
      () => killsDone && ledger.confirmedCount >= killsDoneAt + 1000,
    );
    await kills;
    expect(publisherDisconnects).toBeGreaterThanOrEqual(2);
    expect(ledger.verdict().pending).toBe(0);
    expect(ledger.verdict().rejected).toBe(0);
    await until('every confirmed message consumed', () => ledger.complete, 60_000);
    console.info(ledger.summary('A2b'));
    expect(ledger.verdict().lost).toEqual([]);
    await publisher.deleteQueue(queue);
  });

  it('A7: a blackholed connection is detected by heartbeats; publishes during it are confirmed later or rejected, none dropped', async () => {
    const queue = faultQueue('a7');
    const proxy = new TcpProxy('127.0.0.1', CHAOS_PORT);
    proxies.push(proxy);
    const port = await proxy.listen();
    const direct = await pool.connect();
    await direct.declareQueue(queue);
    const ledger = new Ledger();
    await consumeIntoLedger(direct, queue, ledger);
    const viaProxy = await pool.connect({ heartbeatSeconds: 2, publishTimeoutMs: 25_000 }, chaosUrl(port));
    let disconnectedAt = 0;
    viaProxy.on('disconnected', () => {
      disconnectedAt ||= Date.now();
    });

    const ids = messageIds('a7', 400);
    let index = 0;
    const publishes: Promise<void>[] = [];
    const publishSome = (count: number): void => {
      for (let i = 0; i < count && index < ids.length; i++) {
        const id = ids[index++] as string;
        publishes.push(
          ledger.publish(id, () => viaProxy.publish({ exchange: '', routingKey: queue }, ledgerMessage(id))),
        );
      }
    };
    const ticker = setInterval(() => publishSome(5), 100);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      proxy.setMode('blackhole');
      const blackholedAt = Date.now();
      await until('the disconnect to be noticed', () => disconnectedAt > 0, 20_000);
      const detectionMs = disconnectedAt - blackholedAt;
      console.info(`A7: half-open connection detected after ${detectionMs} ms (heartbeat 2 s)`);
      expect(detectionMs).toBeLessThanOrEqual(3 * 2000 + 1000);
      const remaining = 20_000 - (Date.now() - blackholedAt);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, remaining)));
      const reconnected = nextConnected(viaProxy);
      proxy.setMode('pass');
      await reconnected;
    } finally {
      clearInterval(ticker);
    }
    await Promise.all(publishes);
    const verdict = ledger.verdict();
    expect(verdict.attempted).toBe(index);
    expect(verdict.confirmed + verdict.rejected).toBe(verdict.attempted);
    await until('every confirmed message consumed', () => ledger.complete, 30_000);
    // After recovery the proxied transport consumes too: a live consumer, as in A6.
    const after = new Ledger();
    await consumeIntoLedger(viaProxy, queue, after);
    await until(
      'two consumers on the queue',
      async () => (await chaosQueueStats()).get(queue)?.consumers === 2,
      15_000,
    );
    console.info(ledger.summary('A7'), `rejections: ${JSON.stringify([...ledger.rejectionReasons()])}`);
    expect(ledger.verdict().lost).toEqual([]);
    await direct.deleteQueue(queue);
  });
});
