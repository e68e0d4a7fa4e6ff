/**
 * What the HTTP service adds to each request for operations is decided when it starts, and only what is on
 * runs (issue 12's CPU regression: span hooks, the access log and the metrics hook ran on every request even
 * with everything off). These tests pin the decisions: tracing follows an SDK registered by the start (or is
 * forced on), the access log follows the logger's level at the start, and the metrics series are cheap keyed
 * series that prom-client still formats.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, HttpService } from '../../src/index.js';
import { KeyedCounter, KeyedHistogram } from '../../src/ops/keyed-series.js';
import { parsePrometheusText, sampleValue } from './helpers/prom-text.js';
import { installSdk, type TestSdk } from './tracing/sdk.js';

/** Fastify keeps no public list of hooks; the route's context holds what each request runs. */
function hookCount(app: HttpService, hook: 'onRequest' | 'preHandler' | 'onResponse'): number {
  let count = 0;
  for (const symbol of Object.getOwnPropertySymbols(app.fastify)) {
    const value = (app.fastify as unknown as Record<symbol, unknown>)[symbol] as { [key: string]: unknown } | null;
    if (value && typeof value === 'object' && hook in value && Array.isArray(value[hook])) {
      count = (value[hook] as unknown[]).length;
    }
  }
  return count;
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}

describe('per-request work is decided at start (issue 12 regression, issue 13 cost)', () => {
  let sdk: TestSdk | undefined;
  afterEach(async () => {
    await sdk?.uninstall();
    sdk = undefined;
  });

  it('with no SDK, a silent logger and metrics off, a request runs no hook of ours', async () => {
    const app = new HttpService('bare', { logger: pino({ level: 'silent' }) });
    app.get('/x/', () => 'x');
    expect((await app.inject('/x/')).statusCode).toBe(200);
    expect(hookCount(app, 'onRequest')).toBe(0);
    expect(hookCount(app, 'preHandler')).toBe(0);
    expect(hookCount(app, 'onResponse')).toBe(0);
    await app.close();
  });

  it('traces when an SDK is registered after the service is built but before it starts', async () => {
    const app = new HttpService('late-sdk', { logger: pino({ level: 'silent' }) });
    app.get('/items/<int:id>/', (request) => request.params.id);
    sdk = installSdk();
    expect((await app.inject('/items/7/')).statusCode).toBe(200);
    expect(sdk.spans().map((span) => span.name)).toContain('GET /items/<int:id>/');
    await app.close();
  });

  it("'auto' adds no span hooks when the SDK comes after the start; tracing: true does", async () => {
    const auto = new HttpService('auto', { logger: pino({ level: 'silent' }) });
    const forced = new HttpService('forced', { logger: pino({ level: 'silent' }), tracing: true });
    for (const app of [auto, forced]) app.get('/y/', () => 'y');
    await auto.ready();
    await forced.ready();
    sdk = installSdk();
    expect((await auto.inject('/y/')).statusCode).toBe(200);
    expect((await forced.inject('/y/')).statusCode).toBe(200);
    const names = sdk.spans().map((span) => span.name);
    expect(names.filter((name) => name === 'GET /y/')).toHaveLength(1);
    expect(hookCount(auto, 'onRequest')).toBe(0);
    expect(hookCount(forced, 'onRequest')).toBe(1);
    await auto.close();
    await forced.close();
  });

  it('writes the access line when the logger writes info lines at start, and adds nothing when it does not', async () => {
    const loud = capture();
    const quiet = capture();
    quiet.logger.level = 'warn';
    const on = new HttpService('loud', { logger: loud.logger });
    const off = new HttpService('quiet', { logger: quiet.logger });
    for (const app of [on, off]) app.get('/z/', () => 'z');
    expect((await on.inject('/z/')).statusCode).toBe(200);
    expect((await off.inject('/z/')).statusCode).toBe(200);
    expect(loud.lines.filter((line) => line.route === '/z/' && line.statusCode === 200)).toHaveLength(1);
    expect(hookCount(on, 'onResponse')).toBe(1);
    expect(hookCount(off, 'onResponse')).toBe(0);
    expect(quiet.lines).toHaveLength(0);
    await on.close();
    await off.close();
  });

  it('metrics, tracing and the access log share one onResponse hook', async () => {
    sdk = installSdk();
    const metrics = await createMetrics({ defaultMetrics: false });
    const { logger, lines } = capture();
    const app = new HttpService('all-on', { logger, metrics, tracing: true });
    app.get('/w/<int:id>/', (request) => request.params.id);
    expect((await app.inject('/w/1/')).statusCode).toBe(200);
    expect(hookCount(app, 'onResponse')).toBe(1);
    const families = parsePrometheusText(await metrics.scrape());
    const labels = { http_request_method: 'GET', http_route: '/w/<int:id>/', http_response_status_code: '2xx' };
    expect(sampleValue(families, 'http_server_request_duration_seconds_count', labels)).toBe(1);
    expect(sdk.spans().map((span) => span.name)).toContain('GET /w/<int:id>/');
    expect(lines.some((line) => line.route === '/w/<int:id>/')).toBe(true);
    await app.close();
  });
});

describe('keyed series (the metrics behind createMetrics)', () => {
  it('escapes label values in the exposition and keeps series apart', async () => {
    const counter = new KeyedCounter('c_total', 'help', ['q']);
    counter.inc(['a"b\\c\nd']);
    counter.inc(['a"b\\c\nd'], 2);
    counter.inc(['other']);
    const { values } = await counter.get();
    expect(values).toEqual([
      { labels: { q: 'a"b\\c\nd' }, value: 3 },
      { labels: { q: 'other' }, value: 1 },
    ]);
  });

  it('counts histogram samples into cumulative buckets, ignores non-finite samples and resets', async () => {
    const histogram = new KeyedHistogram('h', 'help', ['a', 'b'], [0.1, 1]);
    for (const sample of [0.05, 0.1, 0.5, 3, Number.NaN, Number.POSITIVE_INFINITY])
      histogram.observe(['x', 'y'], sample);
    const { values } = await histogram.get();
    const pick = (metricName: string, le?: number | string) =>
      values.find((value) => value.metricName === metricName && (le === undefined || value.labels.le === le))?.value;
    expect(pick('h_bucket', 0.1)).toBe(2);
    expect(pick('h_bucket', 1)).toBe(3);
    expect(pick('h_bucket', '+Inf')).toBe(4);
    expect(pick('h_count')).toBe(4);
    expect(pick('h_sum')).toBeCloseTo(3.65);
    histogram.reset();
    expect((await histogram.get()).values).toEqual([]);
  });

  it('stops adding series past its cap instead of growing without bound', async () => {
    const counter = new KeyedCounter('many_total', 'help', ['q']);
    for (let index = 0; index < 10_050; index++) counter.inc([`q${index}`]);
    expect((await counter.get()).values).toHaveLength(10_000);
  });
});
