/**
 * `run(app)` from `microservices-ts/http`: the seed's `base_run`. Listens (default `PORT`/`HOST`, else
 * http://127.0.0.1:5000/), prints where, resolves with the address, and on SIGINT or SIGTERM drains in-flight
 * requests through the shared lifecycle (readiness 503 first). It runs one HTTP service; the root entry
 * point's `run(...parts)` runs any mix of parts and resolves with a handle instead.
 */
import { runParts } from '../lifecycle/run-parts.js';
import type { Microservice } from './service.js';

/**
 * Options of `run`.
 * @example await run(app, { port: 8080, host: '0.0.0.0', debug: false });
 */
export interface RunOptions {
  readonly port?: number;
  readonly host?: string;
  /** Debug mode (see `MicroserviceOptions.debug`). */
  readonly debug?: boolean;
  /** Stack traces in 500 responses (see `MicroserviceOptions.exposeErrors`). */
  readonly exposeErrors?: boolean;
  /**
   * Opt in to `process.exit` once a signal-triggered drain ends (with 0, or 1 when it failed or ran past the
   * deadline). Default false: the process ends by itself once nothing else keeps it alive, and
   * `process.exitCode` carries the outcome.
   */
  readonly exitOnSignal?: boolean;
  /** How long the drain may take before the outcome counts as failed. Default `SHUTDOWN_TIMEOUT_MS`, else 10 s. */
  readonly drainTimeoutMs?: number;
}

/**
 * Runs `app` until SIGINT or SIGTERM, then closes it gracefully; resolves with the listening address.
 * @example await run(app, { port: 5000, debug: true });
 */
export async function run(app: Microservice, options: RunOptions = {}): Promise<string> {
  if (options.debug !== undefined) app.debug = options.debug;
  if (options.exposeErrors !== undefined) app.exposeErrors = options.exposeErrors;
  let address = '';
  const handle = await runParts(
    {
      kind: app.kind,
      name: app.name,
      start: async () => {
        address = await app.start({
          ...(options.port === undefined ? {} : { port: options.port }),
          ...(options.host === undefined ? {} : { host: options.host }),
        });
      },
      ready: () => app.ready(),
      stop: (context) => app.stop(context),
      onClose: (fn) => app.onClose(fn),
    },
    {
      exitOnSignal: options.exitOnSignal === true,
      ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
      onDraining: () => app.logger.info('signal received: draining in-flight requests'),
    },
  );
  void handle.stopped.then((result) => {
    if (result.reason !== 'stopped') process.exitCode = result.code;
  });
  return address;
}
