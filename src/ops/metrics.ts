/**
 * Prometheus metrics on prom-client, an optional peer loaded only when metrics are turned on. Names follow the
 * OpenTelemetry semantic conventions where one exists (`http.server.request.duration` in seconds becomes
 * `http_server_request_duration_seconds`, attribute `http.route` becomes label `http_route`); the toolkit's
 * own series without a convention start with `microservices_`. The parts call the small `record*` functions;
 * with metrics off they get {@link NOOP_METRICS}, whose functions do nothing.
 */
import { ERRORS } from '../errors.js';
import type { ConnectionState } from './health.js';
import { KeyedCounter, KeyedGauge, KeyedHistogram, type RegisteredMetric } from './keyed-series.js';
import { loadPromClient } from './prom-loader.js';

/** What the HTTP service reports per request. */
export interface HttpRequestSample {
  readonly method: string;
  /** The route rule that matched (`/notes/<int:id>`), never the raw path; omit when nothing matched. */
  readonly route?: string | undefined;
  readonly statusCode: number;
  readonly durationSeconds: number;
}

/** The recording surface the HTTP and queue parts call; cheap no-ops when metrics are off. */
export interface MetricsRecorder {
  readonly enabled: boolean;
  recordHttpRequest(sample: HttpRequestSample): void;
  recordConsumed(queue: string): void;
  recordFailed(queue: string): void;
  recordRetried(queue: string): void;
  recordDeadLettered(queue: string): void;
  recordHandlerDuration(queue: string, seconds: number): void;
  recordPublishConfirm(destination: string, seconds: number): void;
  /** Counts a handler as in flight until the returned function is called (calling it twice counts once). */
  handlerStarted(queue: string): () => void;
  setConnectionState(broker: string, state: ConnectionState): void;
}

/** A recorder that can also be scraped. */
export interface Metrics extends MetricsRecorder {
  /** The `Content-Type` of {@link Metrics.scrape}'s text. */
  readonly contentType: string;
  /** The Prometheus text exposition of every metric of this set. */
  scrape(): Promise<string>;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** `'private'` (the default) registers on a registry of its own; `'global'` on prom-client's `register`. */
  readonly registry?: 'private' | 'global';
  /** Node's default process metrics (`process_cpu_seconds_total`, heap, event loop lag). Default true. */
  readonly defaultMetrics?: boolean;
  /** Histogram buckets in seconds. Default: the OpenTelemetry advice for `http.server.request.duration`. */
  readonly buckets?: readonly number[];
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const CONNECTION_STATES: readonly ConnectionState[] = ['up', 'connecting', 'reconnecting', 'down'];
/** OpenTelemetry's known methods; anything else is `_OTHER`, so a client cannot mint label values. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

const noop = (): void => {};

/**
 * The recorder to hand the parts when metrics are off: every function returns at once.
 * @example const metrics: MetricsRecorder = options.metrics ? await createMetrics() : NOOP_METRICS;
 */
export const NOOP_METRICS: MetricsRecorder = Object.freeze({
  enabled: false,
  recordHttpRequest: noop,
  recordConsumed: noop,
  recordFailed: noop,
  recordRetried: noop,
  recordDeadLettered: noop,
  recordHandlerDuration: noop,
  recordPublishConfirm: noop,
  handlerStarted: () => noop,
  setConnectionState: noop,
});

const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** `200` -> `2xx`; anything outside 100-599 -> `other`. */
function statusClass(code: number): string {
  return Number.isInteger(code) && code >= 100 && code < 600
    ? (STATUS_CLASSES[Math.floor(code / 100)] ?? 'other')
    : 'other';
}

/** The method as OpenTelemetry names it: known methods upper-case, anything else `_OTHER`. */
function methodLabel(method: string): string {
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

function checkBuckets(buckets: readonly number[]): number[] {
  const ok =
    buckets.length > 0 &&
    buckets.length <= 50 &&
    buckets.every(
      (value, index) => Number.isFinite(value) && value > 0 && (index === 0 || value > (buckets[index - 1] ?? 0)),
    );
  if (!ok) throw ERRORS.MS_OPS_INVALID_OPTION('buckets must be 1-50 positive, increasing numbers');
  return [...buckets];
}

/**
 * Creates the toolkit's metric set on a registry of its own (or the global one, if asked), with Node's default
 * process metrics, and returns its recorder and scraper.
 * @example
 * const metrics = await createMetrics();
 * metrics.recordHttpRequest({ method: 'GET', route: '/notes/<int:id>', statusCode: 200, durationSeconds: 0.012 });
 * const text = await metrics.scrape(); // serve it at GET /metrics with metrics.contentType
 */
export async function createMetrics(options: MetricsOptions = {}): Promise<Metrics> {
  const buckets = checkBuckets(options.buckets ?? DEFAULT_BUCKETS);
  const prom = await loadPromClient();
  const registry = options.registry === 'global' ? prom.register : new prom.Registry();
  if (options.defaultMetrics !== false) prom.collectDefaultMetrics({ register: registry });

  const histogram = (name: string, help: string, labelNames: readonly string[]) =>
    register(new KeyedHistogram(name, help, labelNames, buckets));
  const register = <M extends RegisteredMetric>(metric: M): M => {
    registry.registerMetric(metric as unknown as Parameters<typeof registry.registerMetric>[0]);
    return metric;
  };
  const httpDuration = histogram(
    'http_server_request_duration_seconds',
    'Duration of HTTP server requests, by method, route rule and status class.',
    ['http_request_method', 'http_route', 'http_response_status_code'],
  );
  const queueCounter = (name: string, help: string) =>
    register(new KeyedCounter(name, help, ['messaging_destination_name']));
  const consumed = queueCounter('messaging_client_consumed_messages_total', 'Messages delivered to a handler.');
  const failed = queueCounter('microservices_messaging_failed_messages_total', 'Messages whose handler failed.');
  const retried = queueCounter('microservices_messaging_retried_messages_total', 'Messages scheduled for a retry.');
  const deadLettered = queueCounter(
    'microservices_messaging_dead_lettered_messages_total',
    'Messages sent to the dead-letter queue.',
  );
  const handlerDuration = histogram('messaging_process_duration_seconds', 'Duration of message handlers.', [
    'messaging_destination_name',
  ]);
  const publishDuration = histogram(
    'messaging_client_operation_duration_seconds',
    'Time from publish to broker confirmation.',
    ['messaging_operation_name', 'messaging_destination_name'],
  );
  const inFlight = register(
    new KeyedGauge('microservices_messaging_inflight_handlers', 'Handlers running now.', [
      'messaging_destination_name',
    ]),
  );
  const connection = register(
    new KeyedGauge(
      'microservices_broker_connection_state',
      'Broker connection state: 1 for the current state, 0 for the others.',
      ['broker', 'state'],
    ),
  );

  return {
    enabled: true,
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    recordHttpRequest: ({ method, route, statusCode, durationSeconds }) => {
      httpDuration.observe([methodLabel(method), route ?? '', statusClass(statusCode)], durationSeconds);
    },
    recordConsumed: (queue) => consumed.inc([queue]),
    recordFailed: (queue) => failed.inc([queue]),
    recordRetried: (queue) => retried.inc([queue]),
    recordDeadLettered: (queue) => deadLettered.inc([queue]),
    recordHandlerDuration: (queue, seconds) => handlerDuration.observe([queue], seconds),
    recordPublishConfirm: (destination, seconds) => publishDuration.observe(['publish', destination], seconds),
    handlerStarted: (queue) => {
      inFlight.add([queue], 1);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight.add([queue], -1);
      };
    },
    setConnectionState: (broker, state) => {
      for (const each of CONNECTION_STATES) connection.set([broker, each], each === state ? 1 : 0);
    },
  };
}
