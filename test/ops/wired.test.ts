/**
 * The parts wired to the ops side: an HTTP service serves /healthz, /readyz and (with `metrics`) /metrics,
 * records each request by route rule; a queue service and client on the memory broker record consumed,
 * failed, retried and dead-lettered messages, handler durations, in-flight handlers, publish confirmations
 * and their connection state, all in one scrape that passes the strict text-format check.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, HealthRegistry, HttpService, QueueClient, QueueService } from '../../src/index.js';
import { parsePrometheusText, sampleValue } from './helpers/prom-text.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('HTTP service: health and readiness routes', () => {
  it('serves /healthz and /readyz; a failing user check makes readiness 503 and is listed', async () => {
    const app = new HttpService('notes');
    let dbUp = true;
    app.health.check('database', () => dbUp);
    const live = await app.inject('/healthz');
    expect([live.statusCode, live.json().status, live.headers['cache-control']]).toEqual([200, 'ok', 'no-store']);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    dbUp = false;
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', checks: [{ name: 'database', ok: false }] });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(404); // metrics are off by default
  });

  it('goes 503 (draining) as soon as stop() begins, and serves neither route with health: false', async () => {
    const app = new HttpService('notes');
    await app.start({ port: 0 });
    const stopping = app.stop();
    expect((await app.health.readiness()).body.checks).toEqual([
      { name: 'draining', ok: false, detail: 'shutting down' },
    ]);
    await stopping;
    const bare = new HttpService('bare', { health: false });
    expect((await bare.inject('/readyz')).statusCode).toBe(404);
  });

  it('includes another registry: the worker connection counts in the HTTP readiness', async () => {
    const app = new HttpService('notes');
    const worker = new HealthRegistry();
    app.health.include(worker);
    worker.setConnectionState('queue-service:amqp://rabbit:5672', 'reconnecting');
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toEqual([
      { name: 'queue-service:amqp://rabbit:5672', ok: false, detail: 'reconnecting' },
    ]);
  });
});

describe('metrics: one option turns them on; one scrape covers HTTP and queues', () => {
  it('records HTTP requests by method, route rule and status class, not the raw path or the probes', async () => {
    const metrics = await createMetrics({ defaultMetrics: false });
    const app = new HttpService('notes', { metrics });
    app.get('/notes/<int:id>/', (req) => ({ id: req.params.id }));
    await app.inject('/notes/1/');
    await app.inject('/notes/2/');
    await app.inject('/notes/x/');
    await app.inject('/readyz');
    const scrape = await app.inject('/metrics');
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toContain('text/plain');
    const families = parsePrometheusText(scrape.body);
    const count = 'http_server_request_duration_seconds_count';
    const labels = { http_request_method: 'GET', http_route: '/notes/<int:id>/' };
    expect(sampleValue(families, count, { ...labels, http_response_status_code: '2xx' })).toBe(2);
    expect(sampleValue(families, count, { http_request_method: 'GET', http_response_status_code: '4xx' })).toBe(1);
    const routes = families.get('http_server_request_duration_seconds')?.samples.map((s) => s.labels.http_route);
    expect(routes).not.toContain('/notes/1/');
    expect(routes).not.toContain('/readyz');
  });

  it('metrics: true shares the process-wide set with Node default metrics; the queue parts record into it', async () => {
    const app = new HttpService('api', { metrics: true });
    const url = 'memory://wired-metrics';
    const worker = new QueueService({
      connection: url,
      metrics: true,
      retry: { maxRetries: 1, backoff: { initialDelayMs: 1 } },
    });
    const events = new QueueClient({ connection: url, metrics: true });
    closers.push(
      () => events.close(),
      () => worker.stop(),
    );
    let calls = 0;
    worker.queue('wired.jobs', (payload) => {
      calls += 1;
      if (payload === 'bad') throw new Error('no');
    });
    await events.start();
    await worker.start();
    await events.queue('wired.jobs').publish('good');
    await events.queue('wired.jobs').publish('bad');
    await expect.poll(() => calls, { timeout: 5_000 }).toBe(3); // good, bad, bad retried once
    await worker.read(1, 50);
    const families = parsePrometheusText((await app.inject('/metrics')).body);
    const queue = { messaging_destination_name: 'wired.jobs' };
    expect(sampleValue(families, 'messaging_client_consumed_messages_total', queue)).toBe(3);
    expect(sampleValue(families, 'microservices_messaging_failed_messages_total', queue)).toBe(2);
    expect(sampleValue(families, 'microservices_messaging_retried_messages_total', queue)).toBe(1);
    expect(sampleValue(families, 'microservices_messaging_dead_lettered_messages_total', queue)).toBe(1);
    expect(sampleValue(families, 'messaging_process_duration_seconds_count', queue)).toBe(3);
    expect(sampleValue(families, 'microservices_messaging_inflight_handlers', queue)).toBe(0);
    expect(
      sampleValue(families, 'messaging_client_operation_duration_seconds_count', {
        messaging_operation_name: 'publish',
        messaging_destination_name: 'wired.jobs',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(families, 'microservices_broker_connection_state', { broker: 'memory://wired-metrics', state: 'up' }),
    ).toBe(1);
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });
});

describe('queue-only service: ops: { port }', () => {
  it('serves /readyz on its own listener: 200 once connected, 503 while draining', async () => {
    const port = await freePort();
    const worker = new QueueService({ connection: 'memory://wired-ops', ops: { port } });
    worker.queue('wired.ops', () => {});
    const closed: string[] = [];
    worker.onClose(() => {
      closed.push('hook');
    });
    await worker.start();
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: [{ name: 'queue-service:memory://wired-ops', ok: true }],
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await worker.stop();
    expect(closed).toEqual(['hook']);
    expect((await worker.health.readiness()).status).toBe(503);
    await expect(fetch(`http://127.0.0.1:${port}/readyz`)).rejects.toThrow(); // the listener closed with it
  });
});
