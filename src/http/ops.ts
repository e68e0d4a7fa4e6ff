/**
 * What an HTTP service gets from the operations side: `GET /healthz` and `GET /readyz` (its `health`
 * registry), `GET /metrics` with the request-duration histogram when metrics are on, and the {@link Part}
 * verbs (`start`, `ready`, `stop`, `onClose`) the service delegates to. Kept out of service.ts so that file only
 * holds the calls.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readEnv } from '../config/env.js';
import type { CloseHook, StopContext } from '../lifecycle/part.js';
import type { Logger } from '../logging.js';
import { HealthRegistry, type HealthReport } from '../ops/health.js';
import { DeferredRecorder, type MetricsOption } from '../ops/shared-metrics.js';

/**
 * The operations options of the HTTP service (part of its options).
 * @example new HttpService('notes', { metrics: true, port: 8080, host: '0.0.0.0' });
 */
export interface HttpOpsOptions {
  /**
   * The registry behind `/healthz` and `/readyz` (default: one of the service's own, `app.health`); `false`
   * serves neither route (`app.health` still exists).
   */
  readonly health?: HealthRegistry | false;
  /**
   * `true` serves `GET /metrics` from the process-wide metric set and records every request; a set from
   * `createMetrics()` uses that set. Default off, or `METRICS_ENABLED`.
   */
  readonly metrics?: MetricsOption;
  /** The port `start()` and `run(...)` listen on. Default `PORT`, else 5000. */
  readonly port?: number;
  /** The interface `start()` and `run(...)` listen on. Default `HOST`, else `127.0.0.1`. */
  readonly host?: string;
}

/** The part of the service the operations side needs. */
export interface OpsHost {
  readonly fastify: FastifyInstance;
  readonly logger: Logger;
  listen(options: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
}

/** Marks the ops routes, which the request histogram leaves out (probes would drown the real traffic). */
const OPS_ROUTE = Symbol('microservices-ts ops route');

/** Whether `/healthz`, `/readyz` or `/metrics` answered this request. */
export function servedByOps(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as unknown as Record<symbol, unknown> | undefined;
  return config?.[OPS_ROUTE] === true;
}

function sendReport(reply: FastifyReply, report: HealthReport): FastifyReply {
  return reply
    .code(report.status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(report.body));
}

/**
 * The operations side of one HTTP service.
 * @example const ops = new HttpOps(app, options); ops.health.check('db', () => pool.ping());
 */
export class HttpOps {
  readonly health: HealthRegistry;
  readonly metrics: DeferredRecorder;
  readonly #host: OpsHost;
  readonly #options: HttpOpsOptions;
  readonly #hooks: CloseHook[] = [];
  #listening: Promise<string> | undefined;

  constructor(host: OpsHost, options: HttpOpsOptions) {
    this.#host = host;
    this.#options = options;
    this.health = options.health instanceof HealthRegistry ? options.health : new HealthRegistry();
    this.metrics = new DeferredRecorder(options.metrics);
    const { fastify } = host;
    const config = { [OPS_ROUTE]: true };
    if (options.health !== false) {
      fastify.route({
        method: ['GET', 'HEAD'],
        url: '/healthz',
        config,
        handler: async (_request, reply) => sendReport(reply, await this.health.liveness()),
      });
      fastify.route({
        method: ['GET', 'HEAD'],
        url: '/readyz',
        config,
        handler: async (_request, reply) => sendReport(reply, await this.health.readiness()),
      });
    }
    if (this.metrics.wanted) {
      // Awaited by Fastify before it listens or injects: a missing prom-client fails start(), not a scrape.
      const load = async (): Promise<void> => {
        await this.metrics.load();
      };
      fastify.register(Object.assign(load, { [Symbol.for('skip-override')]: true }));
      fastify.route({
        method: ['GET', 'HEAD'],
        url: '/metrics',
        config,
        handler: async (_request, reply) => {
          const set = await this.metrics.load();
          if (!set) return reply.code(404).send();
          const text = await set.scrape();
          return reply.code(200).header('cache-control', 'no-store').type(set.contentType).send(text);
        },
      });
    }
    fastify.addHook('onClose', async () => {
      for (const hook of [...this.#hooks].reverse()) await hook();
    });
  }

  /**
   * Listens on `where`, else the configured port and host (options, then `PORT`/`HOST`, then 127.0.0.1:5000);
   * resolves with the address. A second call gives the first one's address.
   */
  start(where: { port?: number | undefined; host?: string | undefined } = {}): Promise<string> {
    this.#listening ??= (async () => {
      const env = readEnv();
      const address = await this.#host.listen({
        port: where.port ?? this.#options.port ?? env.port ?? 5000,
        host: where.host ?? this.#options.host ?? env.host ?? '127.0.0.1',
      });
      this.#host.logger.info(` * Running on ${address}/ (Press CTRL+C to quit)`);
      return address;
    })();
    return this.#listening;
  }

  /** Resolves once the service is listening (after `start()`), or once its plugins loaded (before). */
  async ready(): Promise<void> {
    if (this.#listening) await this.#listening;
    else await this.#host.fastify.ready();
  }

  /**
   * Readiness goes 503, then the service stops accepting and drains; past `context.deadline` the connections
   * left are cut. The `onClose` hooks run last (they also run on a plain `close()`).
   */
  async stop(context?: StopContext): Promise<void> {
    this.health.setDraining(true);
    const cut = (): void => {
      this.#host.fastify.server.closeAllConnections();
    };
    context?.signal.addEventListener('abort', cut, { once: true });
    try {
      await this.#listening?.catch(() => undefined);
      await this.#host.close();
    } finally {
      context?.signal.removeEventListener('abort', cut);
    }
  }

  onClose(fn: CloseHook): void {
    this.#hooks.push(fn);
  }
}
