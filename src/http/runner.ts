/**
 * `run(app)`: the seed's `base_run`. Listens (default http://127.0.0.1:5000/), prints where, and on SIGINT or
 * SIGTERM drains in-flight requests before the process exits.
 */
import { logWith } from '../logging/fields.js';
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
  /** Exit the process after a signal-triggered drain (default true). */
  readonly exitOnSignal?: boolean;
}

/**
 * Runs `app` until SIGINT or SIGTERM, then closes it gracefully; resolves with the listening address.
 * @example await run(app, { port: 5000, debug: true });
 */
export async function run(app: Microservice, options: RunOptions = {}): Promise<string> {
  if (options.debug !== undefined) app.debug = options.debug;
  if (options.exposeErrors !== undefined) app.exposeErrors = options.exposeErrors;
  const address = await app.listen({ port: options.port ?? 5000, host: options.host ?? '127.0.0.1' });
  app.logger.info(` * Running on ${address}/ (Press CTRL+C to quit)`);
  const stop = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    app.logger.info(`${signal} received: draining in-flight requests`);
    app.close().then(
      () => {
        if (options.exitOnSignal !== false) process.exit(0);
      },
      (error: unknown) => {
        logWith(app.logger, 'error', { err: error }, 'Error while closing');
        if (options.exitOnSignal !== false) process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return address;
}
