/**
 * What the HTTP service adds to every request for operations: a server span (ops/tracing) and an access log
 * line at info, both independent of `debug`.
 */
import type { FastifyInstance } from 'fastify';
import { levelEnabled, logWith } from '../logging/fields.js';
import type { Logger } from '../logging.js';
import { traceHttpRequests } from '../ops/tracing/index.js';
import { groupOf } from './fastify-routes.js';

/** The service options read here. */
export interface ObservabilityOptions {
  /** One info line per request (method, URL, status, time). Default true. */
  readonly accessLog?: boolean;
  /** A server span per request through `@opentelemetry/api` (a no-op without an SDK). Default true. */
  readonly tracing?: boolean;
}

/**
 * Installs the access log and the request spans on the service's Fastify instance.
 * @example installObservability(app.fastify, app.logger, { accessLog: true, tracing: true });
 */
export function installObservability(fastify: FastifyInstance, logger: Logger, options: ObservabilityOptions): void {
  if (options.tracing !== false) traceHttpRequests(fastify, (request) => groupOf(request)?.rule.rule);
  if (options.accessLog === false) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    if (levelEnabled(logger, 'info')) {
      const responseTimeMs = Math.round(reply.elapsedTime * 10) / 10;
      const { method, url } = request;
      const route = groupOf(request)?.rule.rule;
      logWith(
        logger,
        'info',
        { method, url, statusCode: reply.statusCode, responseTimeMs, ...(route === undefined ? {} : { route }) },
        `${method} ${url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`,
      );
    }
    done();
  });
}
