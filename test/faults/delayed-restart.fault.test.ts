/**
 * Issue 14 part 4: a delayed message held on the broker survives a restart of the broker (and of the
 * publisher, which is closed first). Redis (AOF with fsync always) is killed with SIGKILL; nats-server is
 * stopped with SIGTERM (JetStream fsyncs its file store on an interval, so a kill -9 may lose recent writes).
 * Pass: after the restart a service gets the message once, no earlier than its delay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { DedicatedNats, NATS_SERVER_PATH } from './helpers/nats-server.js';
import { DedicatedRedis, REDIS_SERVER_PATH } from './helpers/redis-server.js';

const DELAY_MS = 3000;

interface Restartable {
  url(query?: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  cleanup(): Promise<void>;
}

async function survivesRestart(server: Restartable, url: string, down: 'kill' | 'stop'): Promise<void> {
  const queue = 'delayed-restart';
  const publisher = new Client({ connection: { url, reconnect: { initialDelayMs: 100, maxDelayMs: 300 } } });
  await publisher.declareQueue(queue);
  const sent = Date.now();
  await publisher.queue(queue).publish('held', { delayMs: DELAY_MS });
  await publisher.close();
  await (down === 'kill' ? server.kill() : server.stop());
  await server.start();
  const got: { payload: unknown; at: number }[] = [];
  const app = new Microservice({ connection: { url, reconnect: { initialDelayMs: 100, maxDelayMs: 300 } } });
  app.queue(queue, (payload) => {
    got.push({ payload, at: Date.now() });
  });
  try {
    await app.start();
    await until('the delayed message after the restart', () => got.length === 1, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got.map((entry) => entry.payload)).toEqual(['held']);
    expect((got[0]?.at ?? 0) - sent).toBeGreaterThanOrEqual(DELAY_MS - 2);
  } finally {
    await app.stop();
  }
}

describe('issue 14: delayed messages survive a broker restart', () => {
  let server: Restartable | undefined;
  afterEach(async () => {
    await server?.cleanup();
    server = undefined;
  });

  it.skipIf(binary('redis-server', REDIS_SERVER_PATH).skip)('redis (AOF, kill -9)', async () => {
    const redis = await DedicatedRedis.start();
    server = redis;
    await survivesRestart(redis, redis.url(), 'kill');
  });

  it.skipIf(binary('nats-server', NATS_SERVER_PATH).skip)('nats (JetStream file store, SIGTERM)', async () => {
    const nats = await DedicatedNats.start();
    server = nats;
    await survivesRestart(nats, nats.url(), 'stop');
  });
});
