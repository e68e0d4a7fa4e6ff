/**
 * Readiness follows the broker: an HTTP service and a queue worker run together by the root `run(...)`; while
 * the dedicated RabbitMQ node's app is stopped (`stop_app`), the HTTP service's `/readyz` answers 503 naming
 * the worker's connection, and it is back to 200 once `start_app` let the worker reconnect. Liveness stays
 * 200 throughout (a restart of this process would not help).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpService, QueueClient, QueueService, run } from '../../src/index.js';
import {
  chaosCtl,
  chaosNodeCheck,
  chaosUrl,
  ensureChaosAppRunning,
  startChaosNode,
  stopChaosNode,
} from './helpers/rabbitmq-node.js';

const check = chaosNodeCheck();

async function readyz(
  url: string,
): Promise<{ status: number; body: { checks: { name: string; ok: boolean; detail?: string }[] } }> {
  const response = await fetch(`${url}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: { name: string; ok: boolean; detail?: string }[] },
  };
}

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(check.skip)('readiness during a RabbitMQ restart (dedicated node chaos@localhost:5673)', () => {
  beforeAll(async () => {
    await startChaosNode();
  });
  afterAll(async () => {
    await ensureChaosAppRunning().catch(() => undefined);
    await stopChaosNode();
  });

  it('/readyz goes 503 while the broker is down and back to 200 after it reconnects; /healthz stays 200', async () => {
    const reconnect = { initialDelayMs: 200, maxDelayMs: 1_000 };
    const app = new HttpService('api');
    const worker = new QueueService({ connection: chaosUrl(), reconnect, name: 'worker' });
    worker.queue('readiness.restart', () => {});
    const events = new QueueClient({ connection: { url: chaosUrl(), reconnect }, name: 'events' });
    const handle = await run(events, worker, app, { port: 0, signals: false });
    const { port } = app.fastify.server.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    try {
      const before = await readyz(url);
      expect(before.status, JSON.stringify(before.body)).toBe(200);
      expect(before.body.checks).toEqual(
        expect.arrayContaining([
          { name: 'queue-service:amqp://127.0.0.1:5673', ok: true },
          { name: 'client:amqp://127.0.0.1:5673', ok: true },
        ]),
      );
      await chaosCtl(['stop_app']);
      await until('readiness 503', async () => (await readyz(url)).status === 503);
      const down = await readyz(url);
      expect(down.body.checks.filter((each) => !each.ok).map((each) => each.name)).toContain(
        'queue-service:amqp://127.0.0.1:5673',
      );
      expect(
        down.body.checks.every((each) => each.ok || ['reconnecting', 'connecting', 'down'].includes(each.detail ?? '')),
      ).toBe(true);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await ensureChaosAppRunning();
      await until('readiness 200 again', async () => (await readyz(url)).status === 200);
      await events.queue('readiness.restart').publish('after the restart');
    } finally {
      await ensureChaosAppRunning();
      const result = await handle.stop();
      expect(result.code).toBe(0);
    }
  });
});
