/**
 * RELIABILITY.md A3, A9 and E1 on a dedicated RabbitMQ node, with the queue service running in child
 * processes that are killed (SIGKILL, process.exit) or stopped (SIGTERM). The "worker pool" of E1 is this
 * toolkit's `workers: N` queue service.
 */
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceChild, type ServiceChildSettings } from './helpers/amqp-children.js';
import { faultQueue, ledgerMessage, TransportPool } from './helpers/amqp-fixture.js';
import { Ledger, messageIds, publishWindowed, until } from './helpers/ledger.js';
import {
  chaosNodeCheck,
  chaosQueueStats,
  chaosUrl,
  ensureChaosAppRunning,
  startChaosNode,
  stopChaosNode,
} from './helpers/rabbitmq-node.js';

const check = chaosNodeCheck();

describe.skipIf(check.skip)('AMQP consumer processes killed or stopped (dedicated node chaos@localhost:5673)', () => {
  const pool = new TransportPool();
  const children: ServiceChild[] = [];
  const startChild = async (settings: Omit<ServiceChildSettings, 'url'>): Promise<ServiceChild> => {
    const child = new ServiceChild({ url: chaosUrl(), ...settings });
    children.push(child);
    await until(
      'the child service to consume',
      async () => {
        if ((await Promise.race([child.exited, Promise.resolve(undefined)])) !== undefined) {
          throw new Error(`the child exited early: ${child.lines.join(' | ')}`);
        }
        return child.ready && ((await chaosQueueStats()).get(settings.queue)?.consumers ?? 0) >= 1;
      },
      60_000,
    );
    return child;
  };
  const queueStats = async (queue: string): Promise<{ consumers: number; ready: number; unacked: number }> =>
    (await chaosQueueStats()).get(queue) ?? { consumers: 0, ready: 0, unacked: 0 };

  beforeAll(async () => {
    await startChaosNode();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.dispose();
    await pool.closeAll();
  });
  afterAll(async () => {
    await ensureChaosAppRunning().catch(() => undefined);
    await stopChaosNode();
  });

  it('A3: a consumer SIGKILLed after 300 of 1000 messages loses none; at most its prefetch (10) is redelivered, flagged', async () => {
    const queue = faultQueue('a3');
    const publisher = await pool.connect();
    const settings = { queue, workers: 10, handleMs: 20 };
    const first = await startChild(settings);
    const ledger = new Ledger();
    await publishWindowed(ledger, messageIds('a3', 1000), 100, (id) =>
      publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id)),
    );
    expect(ledger.confirmedCount).toBe(1000);
    await until('300 handled by the first consumer', () => first.done.length >= 300, 60_000);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const second = await startChild(settings);
    const handled = (): Set<string> => new Set([...first.done, ...second.done]);
    await until('every message handled', () => handled().size >= 1000, 90_000);
    await until(
      'nothing left unacknowledged',
      async () => {
        const stats = await queueStats(queue);
        return stats.unacked === 0 && stats.ready === 0;
      },
      15_000,
    );
    const firstDone = new Set(first.done);
    const redelivered = second.starts.filter((start) => start.redelivered);
    const duplicates = second.done.filter((id) => firstDone.has(id));
    console.info(
      `A3: first consumer handled ${first.done.length}, second ${second.done.length}; redelivered ${redelivered.length}, handled twice ${duplicates.length}`,
    );
    expect([...ledger.verdict().lost.filter((id) => !handled().has(id))]).toEqual([]);
    expect(handled().size).toBe(1000);
    expect(redelivered.length).toBeLessThanOrEqual(10);
    // Every message handled twice was flagged as a redelivery the second time.
    const redeliveredIds = new Set(redelivered.map((start) => start.id));
    expect(duplicates.every((id) => redeliveredIds.has(id))).toBe(true);
    await publisher.deleteQueue(queue);
    await publisher.deleteQueue(`${queue}.dead-letter`);
  });

  it('A9: SIGTERM cancels the consumer first, lets 20 running handlers finish and ack, and exits 0 within the drain timeout', async () => {
    const queue = faultQueue('a9');
    const publisher = await pool.connect();
    // 2 s handlers rather than the catalogue's 500 ms: rabbitmqctl needs a few hundred ms per look on this
    // machine, and the consumer count has to be seen at 0 while the handlers still run.
    const child = await startChild({ queue, workers: 20, handleMs: 2000, drainMs: 5000 });
    const ids = messageIds('a9', 20);
    for (const id of ids) await publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id));
    await until('20 handlers running', () => child.starts.length === 20, 15_000);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    // A passive declare answers in milliseconds (rabbitmqctl takes far longer on this machine).
    const probe = await amqp.connect(chaosUrl());
    const channel = await probe.createChannel();
    try {
      await until('the consumer cancelled', async () => (await channel.checkQueue(queue)).consumerCount === 0, 5000);
    } finally {
      await probe.close();
    }
    const cancelledWhileRunning = child.done.length < 20;
    const exit = await child.exited;
    const exitMs = Date.now() - signalledAt;
    console.info(
      `A9: cancelled before the handlers finished: ${cancelledWhileRunning}; exit ${exit.code} after ${exitMs} ms`,
    );
    expect(cancelledWhileRunning).toBe(true);
    expect(exit.code).toBe(0);
    expect(exitMs).toBeLessThan(5000 + 2000);
    expect(new Set(child.done)).toEqual(new Set(ids));
    // All 20 acked: nothing is waiting for the next consumer.
    expect(await queueStats(queue)).toMatchObject({ ready: 0, unacked: 0 });
    await publisher.deleteQueue(queue);
    await publisher.deleteQueue(`${queue}.dead-letter`);
  });

  it('A9b: a handler still running after the drain timeout is requeued, not acked', async () => {
    const queue = faultQueue('a9b');
    const publisher = await pool.connect();
    const child = await startChild({ queue, workers: 5, handleMs: 4000, drainMs: 1000 });
    for (const id of messageIds('a9b', 5))
      await publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id));
    await until('5 handlers running', () => child.starts.length === 5, 15_000);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const exit = await child.exited;
    const exitMs = Date.now() - signalledAt;
    console.info(`A9b: exit ${exit.code} after ${exitMs} ms with ${child.done.length} handlers finished`);
    expect(exit.code).toBe(0);
    expect(exitMs).toBeLessThan(4000);
    expect(child.done).toEqual([]);
    expect(await queueStats(queue)).toMatchObject({ ready: 5, unacked: 0 });
    await publisher.deleteQueue(queue);
    await publisher.deleteQueue(`${queue}.dead-letter`);
  });

  it('E1 (workers: 2 service as the pool): a consumer process that exits mid-handler gets its in-flight messages redelivered to the next one; nothing hangs', async () => {
    const queue = faultQueue('e1');
    const publisher = await pool.connect();
    const settings = { queue, workers: 2, handleMs: 20, crashPrefix: 'e1crash', crashAttempts: 1 };
    const first = await startChild(settings);
    const ledger = new Ledger();
    const ids = [...messageIds('e1a', 20), 'e1crash-1', ...messageIds('e1b', 79)];
    await publishWindowed(ledger, ids, 20, (id) =>
      publisher.publish({ exchange: '', routingKey: queue }, ledgerMessage(id)),
    );
    const exit = await first.exited;
    expect(exit.code).toBe(1);
    const inFlightAtCrash = first.starts.filter((start) => !first.done.includes(start.id)).map((start) => start.id);
    const second = await startChild(settings);
    const handled = (): Set<string> => new Set([...first.done, ...second.done]);
    await until('all 100 handled after the crash', () => handled().size === 100, 60_000);
    await until('nothing left unacknowledged', async () => (await queueStats(queue)).unacked === 0, 15_000);
    const crashRetry = second.starts.find((start) => start.id === 'e1crash-1');
    console.info(
      `E1: in flight at the crash ${JSON.stringify(inFlightAtCrash)}; retried as ${JSON.stringify(crashRetry)}`,
    );
    expect(inFlightAtCrash).toContain('e1crash-1');
    for (const id of inFlightAtCrash) expect(second.done).toContain(id);
    expect(crashRetry).toMatchObject({ attempt: 2, redelivered: true });
    expect(ledger.verdict().lost.filter((id) => !handled().has(id))).toEqual([]);
    await publisher.deleteQueue(queue);
    await publisher.deleteQueue(`${queue}.dead-letter`);
  });
});
