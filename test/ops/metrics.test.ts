import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MicroservicesError } from '../../src/errors.js';
import { createMetrics, NOOP_METRICS } from '../../src/index.js';
import { loadPromClient } from '../../src/ops/prom-loader.js';
import { parsePrometheusText, sampleValue } from './helpers/prom-text.js';

const HTTP = 'http_server_request_duration_seconds';

describe('the strict text-format checker itself', () => {
  const good = '# HELP a_total A.\n# TYPE a_total counter\na_total{q="x"} 1\n';
  it('accepts a well-formed exposition and refuses each kind of defect', () => {
    expect(sampleValue(parsePrometheusText(good), 'a_total', { q: 'x' })).toBe(1);
    const bad = [
      'a_total{q="x"} 1', // no final newline
      '# TYPE a_total counter\n# TYPE a_total counter\n', // TYPE twice
      '1abc 1\n', // bad metric name
      'a{1q="x"} 1\n', // bad label name
      'a{q="x\\t"} 1\n', // bad escape
      'a{q="x"} one\n', // bad value
      'a 1\nb 1\na 2\n', // family not contiguous
      'a{q="x"} 1\na{q="x"} 2\n', // duplicate series
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // counts decrease
      '# TYPE h histogram\nh_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', // no +Inf
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', // +Inf != count
    ];
    for (const text of bad) expect(() => parsePrometheusText(text), text).toThrow();
  });
});

describe('createMetrics: the scrape is valid Prometheus text with the OpenTelemetry-style names', () => {
  it('records HTTP requests by method, route rule and status class', async () => {
    const metrics = await createMetrics();
    metrics.recordHttpRequest({ method: 'get', route: '/notes/<int:id>', statusCode: 200, durationSeconds: 0.02 });
    metrics.recordHttpRequest({ method: 'GET', route: '/notes/<int:id>', statusCode: 204, durationSeconds: 3 });
    metrics.recordHttpRequest({ method: 'BREW', statusCode: 404, durationSeconds: 0.001 });
    metrics.recordHttpRequest({ method: 'POST', route: '/notes/', statusCode: 999, durationSeconds: 0.5 });
    const families = parsePrometheusText(await metrics.scrape());
    expect(families.get(HTTP)?.type).toBe('histogram');
    const notes = { http_request_method: 'GET', http_route: '/notes/<int:id>', http_response_status_code: '2xx' };
    expect(sampleValue(families, `${HTTP}_count`, notes)).toBe(2);
    expect(sampleValue(families, `${HTTP}_sum`, notes)).toBeCloseTo(3.02);
    expect(sampleValue(families, `${HTTP}_bucket`, { ...notes, le: '0.025' })).toBe(1);
    expect(sampleValue(families, `${HTTP}_bucket`, { ...notes, le: '5' })).toBe(2);
    // An unknown method cannot mint a label value; an impossible status is "other".
    expect(
      sampleValue(families, `${HTTP}_count`, { http_request_method: '_OTHER', http_response_status_code: '4xx' }),
    ).toBe(1);
    expect(
      sampleValue(families, `${HTTP}_count`, { http_request_method: 'POST', http_response_status_code: 'other' }),
    ).toBe(1);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('records messages consumed, failed, retried, dead-lettered, durations, in-flight and connection state', async () => {
    const metrics = await createMetrics({ buckets: [0.01, 0.1, 1] });
    const queue = { messaging_destination_name: 'notes.created' };
    metrics.recordConsumed('notes.created');
    metrics.recordConsumed('notes.created');
    metrics.recordFailed('notes.created');
    metrics.recordRetried('notes.created');
    metrics.recordDeadLettered('notes.created');
    metrics.recordHandlerDuration('notes.created', 0.05);
    metrics.recordPublishConfirm('events', 0.002);
    const doneA = metrics.handlerStarted('notes.created');
    metrics.handlerStarted('notes.created');
    doneA();
    doneA(); // a second call must not count twice
    metrics.setConnectionState('rabbitmq', 'reconnecting');
    const families = parsePrometheusText(await metrics.scrape());
    expect(sampleValue(families, 'messaging_client_consumed_messages_total', queue)).toBe(2);
    expect(sampleValue(families, 'microservices_messaging_failed_messages_total', queue)).toBe(1);
    expect(sampleValue(families, 'microservices_messaging_retried_messages_total', queue)).toBe(1);
    expect(sampleValue(families, 'microservices_messaging_dead_lettered_messages_total', queue)).toBe(1);
    expect(sampleValue(families, 'messaging_process_duration_seconds_bucket', { ...queue, le: '0.1' })).toBe(1);
    expect(sampleValue(families, 'messaging_process_duration_seconds_bucket', { ...queue, le: '0.01' })).toBe(0);
    expect(
      sampleValue(families, 'messaging_client_operation_duration_seconds_count', {
        messaging_operation_name: 'publish',
        messaging_destination_name: 'events',
      }),
    ).toBe(1);
    expect(sampleValue(families, 'microservices_messaging_inflight_handlers', queue)).toBe(1);
    expect(
      sampleValue(families, 'microservices_broker_connection_state', { broker: 'rabbitmq', state: 'reconnecting' }),
    ).toBe(1);
    expect(sampleValue(families, 'microservices_broker_connection_state', { broker: 'rabbitmq', state: 'up' })).toBe(0);
    // Node's default process metrics are on the same private registry.
    expect(families.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('uses a registry of its own: two sets coexist and the global registry stays empty of them', async () => {
    const first = await createMetrics({ defaultMetrics: false });
    const second = await createMetrics({ defaultMetrics: false });
    first.recordConsumed('a');
    const secondText = await second.scrape();
    expect(secondText).not.toContain('messaging_destination_name="a"');
    expect(await prom.register.metrics()).not.toContain(HTTP);
    expect(parsePrometheusText(secondText).has('process_cpu_seconds_total')).toBe(false);
  });

  it('names the package when prom-client is missing (MS_OPS_PEER_MISSING) and checks its options', async () => {
    const missing = () =>
      Promise.reject(Object.assign(new Error("Cannot find package 'prom-client'"), { code: 'ERR_MODULE_NOT_FOUND' }));
    const error = await loadPromClient(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MicroservicesError);
    expect((error as MicroservicesError).code).toBe('MS_OPS_PEER_MISSING');
    expect((error as MicroservicesError).message).toContain('npm install prom-client');
    await expect(loadPromClient(() => Promise.reject(new TypeError('other')))).rejects.toThrow(TypeError);
    expect((await loadPromClient()).Registry).toBe(prom.Registry);
    await expect(createMetrics({ buckets: [1, 0.5] })).rejects.toMatchObject({ code: 'MS_OPS_INVALID_OPTION' });
  });

  it('NOOP_METRICS records nothing and costs a call', () => {
    expect(NOOP_METRICS.enabled).toBe(false);
    expect(Object.isFrozen(NOOP_METRICS)).toBe(true);
    const done = NOOP_METRICS.handlerStarted('q');
    expect(() => {
      done();
      NOOP_METRICS.recordHttpRequest({ method: 'GET', statusCode: 200, durationSeconds: 1 });
      NOOP_METRICS.setConnectionState('b', 'down');
    }).not.toThrow();
  });
});
