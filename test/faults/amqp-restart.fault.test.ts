/**
 * RELIABILITY.md A1 and A6 on a dedicated RabbitMQ node: what a broker restart (`stop_app`/`start_app`)
 * does to confirmed messages and to consumers.
 */
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faultQueue, ledgerMessage, nextConnected, TransportPool } from './helpers/amqp-fixture.js';
import { consumeIntoLedger, Ledger, messageIds, publishWindowed, until } from './helpers/ledger.js';
import {
  chaosNodeCheck,
  chaosQueueStats,
  chaosUrl,
  ensureChaosAppRunning,
  restartChaosApp,
  startChaosNode,
  stopChaosNode,
} from './helpers/rabbitmq-node.js';

const check = chaosNodeCheck();

describe.skipIf(check.skip)('AMQP broker restarts (dedicated node chaos@localhost:5673)', () => {
  const pool = new TransportPool();
  beforeAll(async () => {
    await startChaosNode();
  });
  afterEach(async () => {
    await ensureChaosAppRunning();
    await pool.closeAll();
  });
  afterAll(async () => {
    await ensureChaosAppRunning().catch(() => undefined);
    await stopChaosNode();
  });

  it('A1: 2000 confirmed persistent messages in a durable classic and a quorum queue survive a restart; a transient control is lost', async () => {
    const classic = faultQueue('a1-classic');
    const quorum = faultQueue('a1-quorum');
    const transient = faultQueue('a1-transient');
    const setup = await amqp.connect(chaosUrl());
    const channel = await setup.createChannel();
    await channel.assertQueue(quorum, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await setup.close();

    const publisher = await pool.connect();
    await publisher.declareQueue(classic);
    await publisher.declareQueue(quorum);
    await publisher.declareQueue(transient, { durable: false });
    const ledgers = { [classic]: new Ledger(), [quorum]: new Ledger() };
    for (const [queue, ledger] of Object.entries(ledgers)) {
      await publishWindowed(ledger, messageIds(queue, 2000), 200, (id) =>
        publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id)),
      );
      expect(ledger.confirmedCount).toBe(2000);
    }
    for (let i = 0; i < 50; i++) {
      await publisher.publish(
        { exchange: '', routingKey: transient },
        { body: Buffer.from(String(i)), properties: { persistent: false } },
      );
    }
    // The control can detect loss: before the restart the transient queue holds its 50 messages.
    expect((await chaosQueueStats()).get(transient)?.ready).toBe(50);

    const reconnected = nextConnected(publisher);
    await restartChaosApp();
    await reconnected;

    for (const [queue, ledger] of Object.entries(ledgers)) await consumeIntoLedger(publisher, queue, ledger);
    await until('every confirmed message consumed', () => Object.values(ledgers).every((l) => l.complete), 60_000);
    for (const [queue, ledger] of Object.entries(ledgers)) {
      console.info(ledger.summary(`A1 ${queue}`));
      const verdict = ledger.verdict();
      expect(verdict.lost).toEqual([]);
      expect(verdict.distinct).toBe(2000);
    }
    // The transport declared the transient queue again after reconnecting; its messages are gone.
    expect((await chaosQueueStats()).get(transient)?.ready ?? 0).toBe(0);
    for (const queue of [classic, quorum, transient]) await publisher.deleteQueue(queue);
  });

  it('A6: after each of three restarts the queue has exactly one consumer again, and 200 later messages are consumed', async () => {
    const queue = faultQueue('a6');
    const transport = await pool.connect();
    await transport.declareQueue(queue);
    const ledger = new Ledger();
    await consumeIntoLedger(transport, queue, ledger, { prefetch: 20 });
    for (let restart = 1; restart <= 3; restart++) {
      const reconnected = nextConnected(transport);
      const restartedAt = Date.now();
      await restartChaosApp();
      await reconnected;
      await until(
        `one consumer on the queue after restart ${restart}`,
        async () => (await chaosQueueStats()).get(queue)?.consumers === 1,
        15_000,
      );
      console.info(`A6 restart ${restart}: consuming again ${Date.now() - restartedAt} ms after stop_app`);
      expect((await chaosQueueStats()).get(queue)?.consumers).toBe(1);
    }
    const ids = messageIds('a6', 200);
    await publishWindowed(ledger, ids, 50, (id) =>
      transport.publish({ exchange: '', routingKey: queue }, ledgerMessage(id)),
    );
    await until('200 messages consumed after the last restart', () => ledger.complete, 10_000);
    console.info(ledger.summary('A6'));
    expect(ledger.verdict().lost).toEqual([]);
    expect((await chaosQueueStats()).get(queue)?.consumers).toBe(1);
    await transport.deleteQueue(queue);
  });
});
