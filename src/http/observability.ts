/**
 * What the HTTP service adds to every request for operations: a server span (ops/tracing), an access log line
 * at info (independent of `debug`) and the request-duration histogram (when metrics are on).
 *
 * What runs is decided when Fastify loads its plugins (`ready()`, `listen()`, `inject()`), after the
 * application had its chance to register a tracing SDK and to set its log level, and only what is on gets a
 * hook; the per-response steps share one `onResponse` hook. Each hook Fastify runs costs the request a hook
 * runner (and, for the first `onResponse` hook, two response listeners) whether it does anything or not: with
 * the span hooks, the access log and the metrics hook installed unconditionally, the marked resource paid
 * about a microsecond of CPU per request for nothing (`node bench/http/in-process.mjs resource`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { levelEnabled, logWith } from '../logging/fields.js';
import type { Logger } from '../logging.js';
import type { MetricsRecorder } from '../ops/metrics.js';
import { traceHttpRequests } from '../ops/tracing/index.js';
import { tracingInstalled } from '../ops/tracing/tracer.js';
import { groupOf } from './fastify-routes.js';
import { servedByOps } from './ops.js';

/** The service options read here. */
export interface ObservabilityOptions {
  /**
   * One info line per request (method, URL, status, time). Default true. The line is installed when the
   * service starts and the logger writes info lines then (a logger at `warn` or `silent` at start costs the
   * requests nothing, and lowering its level later does not add the line).
   */
  readonly accessLog?: boolean;
  /**
   * A server span per request through `@opentelemetry/api`. Default `'auto'`: on when a tracing SDK is
   * registered by the time the service starts (`listen`, `ready`, `inject`), otherwise no hook at all. `true`
   * installs the span hooks regardless (for an SDK registered after the start); `false` never does.
   */
  readonly tracing?: boolean | 'auto';
}

/** One step of the shared `onResponse` hook. */
type ResponseStep = (request: FastifyRequest, reply: FastifyReply) => void;

/** The rule that answered (`/notes/<int:id>/`), or undefined (no rule matched, or a route of Fastify's own). */
function ruleOf(request: FastifyRequest): string | undefined {
  return groupOf(request)?.rule.rule;
}

function accessLogStep(logger: Logger): ResponseStep {
  return (request, reply) => {
    if (!levelEnabled(logger, 'info')) return;
    const route = ruleOf(request);
    const responseTimeMs = Math.round(reply.elapsedTime * 10) / 10;
    const { method, url } = request;
    logWith(
      logger,
      'info',
      { method, url, statusCode: reply.statusCode, responseTimeMs, ...(route === undefined ? {} : { route }) },
      `${method} ${url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`,
    );
  };
}

function metricsStep(metrics: MetricsRecorder): ResponseStep {
  return (request, reply) => {
    if (!metrics.enabled) return;
    const route = ruleOf(request);
    // The probes and the scrape would drown the real traffic; a route of the application's own still counts.
    if (route === undefined && servedByOps(request)) return;
    metrics.recordHttpRequest({
      method: request.method,
      route,
      statusCode: reply.statusCode,
      durationSeconds: reply.elapsedTime / 1000,
    });
  };
}

/**
 * Installs, when Fastify loads its plugins, only what is on: the span hooks when tracing is on, and one
 * `onResponse` hook for the per-response steps (span end; the access log when the logger writes info lines at
 * that moment and `accessLog` is not false; the request histogram when metrics are on). With nothing on, the
 * request runs no hook at all.
 * @example installObservability(app.fastify, app.logger, { accessLog: true }, metrics, true);
 */
export function installObservability(
  fastify: FastifyInstance,
  logger: Logger,
  options: ObservabilityOptions,
  metrics: MetricsRecorder,
  metricsWanted: boolean,
): void {
  const decide = async (): Promise<void> => {
    const traced = options.tracing === true || (options.tracing !== false && tracingInstalled());
    const steps: ResponseStep[] = [];
    if (traced) steps.push(traceHttpRequests(fastify, ruleOf));
    if (options.accessLog !== false && levelEnabled(logger, 'info')) steps.push(accessLogStep(logger));
    if (metricsWanted) steps.push(metricsStep(metrics));
    const [only, ...more] = steps;
    if (only === undefined) return;
    fastify.addHook(
      'onResponse',
      more.length === 0
        ? (request, reply, done) => {
            only(request, reply);
            done();
          }
        : (request, reply, done) => {
            for (const step of steps) step(request, reply);
            done();
          },
    );
  };
  // skip-override: the hooks go on the service's own instance, so every route gets them.
  fastify.register(Object.assign(decide, { [Symbol.for('skip-override')]: true }));
}
