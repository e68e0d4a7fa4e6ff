/**
 * RELIABILITY.md A10 on the dedicated RabbitMQ node (chaos@localhost:5673): persistent messages published
 * with `delayMs` wait in the durable delay bucket queues (transports/amqp/delayed.ts); a broker restart
 * (`stop_app`/`start_app`) before their delay has elapsed loses none of them, and each reaches its queue
 * exactly once and no earlier than its delay. Negative control: a transient delayed message (persistent:
 * false) in the same bucket is gone after the restart, proving the test can see loss.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { faultQueue } from './helpers/amqp-fixture.js';
import { until } from './helpers/ledger.js';
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
const RECONNECT = { initialDelayMs: 100, maxDelayMs: 500 };
/** Two delays, so two bucket queues; long enough that a restart (5 to 15 s on this shared machine) ends well before them. */
const DELAYS_MS = [40_000, 45_000] as const;
const PER_DELAY = 25;

describe.skipIf(check.skip)('AMQP delayed delivery across a broker restart (dedicated node :5673)', () => {
  beforeAll(async () => {
    await startChaosNode();
  });
  afterEach(async () => {
    await ensureChaosAppRunning();
  });
  afterAll(async () => {
    await ensureChaosAppRunning().catch(() => undefined);
    await stopChaosNode();
  });

  it('A10: 50 persistent delayed messages survive a restart before their delay, each delivered once and never early; a transient one is lost', async () => {
    const queue = faultQueue('a10-delayed');
    const url = chaosUrl();
    const publisher = new Client({ connection: { url, reconnect: RECONNECT } });
    await publisher.declareQueue(queue);
    const sentAt = new Map<string, { at: number; delayMs: number }>();
    const publishes: Promise<void>[] = [];
    for (const delayMs of DELAYS_MS) {
      for (let i = 0; i < PER_DELAY; i++) {
        const id = `${delayMs}-${i}`;
        sentAt.set(id, { at: Date.now(), delayMs });
        publishes.push(publisher.queue(queue).publish({ id }, { delayMs }));
      }
    }
    await Promise.all(publishes);
    await publisher.queue(queue).publish({ id: 'transient' }, { delayMs: DELAYS_MS[0], persistent: false });
    const firstSent = Math.min(...[...sentAt.values()].map((entry) => entry.at));
    await publisher.close();

    // Before the restart the messages wait in the bucket queues, none in the queue itself.
    const before = await chaosQueueStats();
    const bucketReady = (stats: typeof before): number =>
      [...stats].filter(([name]) => name.startsWith(`${queue}.delay.`)).reduce((sum, [, s]) => sum + s.ready, 0);
    expect(bucketReady(before)).toBe(2 * PER_DELAY + 1);
    expect(before.get(queue)?.ready).toBe(0);

    const restartedAt = Date.now();
    await restartChaosApp();
    const restartMs = Date.now() - restartedAt;
    const after = await chaosQueueStats();
    console.info(
      `A10: restart took ${restartMs} ms, done ${Date.now() - firstSent} ms after the first publish; ` +
        `buckets hold ${bucketReady(after)} after it`,
    );
    // The restart is over before the shortest delay: what follows tests the buckets, not an early expiry.
    expect(Date.now() - firstSent).toBeLessThan(DELAYS_MS[0]);
    expect(bucketReady(after)).toBe(2 * PER_DELAY);

    const got: { id: string; at: number }[] = [];
    const app = new Microservice({ connection: { url, reconnect: RECONNECT }, drainTimeout: 2000 });
    app.queue(queue, (payload) => {
      got.push({ id: (payload as { id: string }).id, at: Date.now() });
    });
    try {
      await app.start();
      await until('every persistent delayed message after the restart', () => got.length >= 2 * PER_DELAY, 90_000);
      // Long enough for a duplicate or the transient message to show up.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await app.stop();
    }
    const ids = got.map((entry) => entry.id);
    expect(ids).not.toContain('transient');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...sentAt.keys()].sort());
    const early = got.filter((entry) => {
      const sent = sentAt.get(entry.id);
      return sent === undefined || entry.at - sent.at < sent.delayMs;
    });
    expect(early).toEqual([]);
    const lateness = got.map((entry) => {
      const sent = sentAt.get(entry.id);
      return entry.at - (sent?.at ?? 0) - (sent?.delayMs ?? 0);
    });
    console.info(`A10: delivered ${Math.min(...lateness)}..${Math.max(...lateness)} ms after the delay`);
    const cleaner = new Client({ connection: { url } });
    await cleaner.deleteQueue(queue).catch(() => undefined);
    await cleaner.deleteQueue(`${queue}.dead-letter`).catch(() => undefined);
    await cleaner.close();
  }, 240_000);
});
