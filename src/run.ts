/**
 * The root-level `run(...parts, options)`: the seed's tornado combiner, grown up. It starts any mix of HTTP
 * services, queue services and clients (each one a lifecycle `Part`) through `runParts`, links their health so
 * every HTTP service's `/readyz` covers the whole process, and stops everything in order on SIGINT/SIGTERM.
 * `microservices-ts/http`'s `run(app, { port })` stays the one-service runner that resolves with an address.
 */
import { ERRORS } from './errors.js';
import { Microservice as HttpService } from './http/service.js';
import { isPart, type Part } from './lifecycle/part.js';
import { type RunHandle, type RunPartsOptions, runParts } from './lifecycle/run-parts.js';
import { HealthRegistry } from './ops/health.js';

/**
 * Options of the root `run`: the orchestrator's options, plus where the HTTP service listens (the seed's
 * `run(app, { port })` shape; with several HTTP services give each its own `port` option instead).
 * @example await run(app, worker, events, { port: 8080, host: '0.0.0.0', drainTimeoutMs: 15_000 });
 */
export interface RunOptions extends Omit<RunPartsOptions, 'health'> {
  /** The HTTP service's port (overrides its `port` option and `PORT`). */
  readonly port?: number;
  /** The HTTP service's interface (overrides its `host` option and `HOST`). */
  readonly host?: string;
  /** Sets `debug` on the HTTP services. */
  readonly debug?: boolean;
  /** A registry that also goes 503 while starting or draining, and whose readiness includes every part's. */
  readonly health?: HealthRegistry;
}

function healthOf(part: Part): HealthRegistry | undefined {
  const health = (part as { health?: unknown }).health;
  return health instanceof HealthRegistry ? health : undefined;
}

/** An HTTP service that listens where the options say, as a part of its own. */
function placed(app: HttpService, options: RunOptions): Part {
  return {
    kind: app.kind,
    name: app.name,
    health: app.health,
    start: async () => {
      await app.start({
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.host === undefined ? {} : { host: options.host }),
      });
    },
    ready: () => app.ready(),
    stop: (context) => app.stop(context),
    onClose: (fn) => app.onClose(fn),
  } as Part;
}

/**
 * Starts every part (clients first, then queue services, then HTTP services), subscribes to SIGINT and SIGTERM
 * once, and on the first signal stops them in order: readiness goes 503 everywhere, HTTP services stop
 * accepting and drain, queue services stop consuming and finish in-flight handlers, then clients and `onClose`
 * hooks close. `handle.stopped` gives the exit code (0, or 1 past the drain deadline); a second signal ends
 * the wait at once. `process.exit` is called only with `exitOnSignal: true`.
 * @example
 * const handle = await run(events, worker, app, { port: 8080 });
 * process.exitCode = (await handle.stopped).code;
 */
export async function run(...args: [...Part[], RunOptions] | Part[]): Promise<RunHandle> {
  const last = args.at(-1);
  const options: RunOptions = last !== undefined && !isPart(last) ? (last as RunOptions) : {};
  const given = (last !== undefined && !isPart(last) ? args.slice(0, -1) : args) as Part[];
  const apps = given.filter((part): part is HttpService => part instanceof HttpService);
  if ((options.port !== undefined || options.host !== undefined) && apps.length > 1) {
    throw ERRORS.MS_OPS_INVALID_OPTION(
      'run(...): `port`/`host` place one HTTP service; with several, give each its own `port` option',
    );
  }
  for (const app of apps) if (options.debug !== undefined) app.debug = options.debug;
  const parts = given.map((part) => (part instanceof HttpService ? placed(part, options) : part));
  const registries = parts.map(healthOf).filter((health): health is HealthRegistry => health !== undefined);
  if (options.health) registries.push(options.health);
  // Every HTTP service's /readyz (and the given registry) answers for the whole process.
  for (const target of [...apps.map((app) => app.health), ...(options.health ? [options.health] : [])]) {
    for (const source of registries) target.include(source);
  }
  const { port: _port, host: _host, debug: _debug, health: _health, ...partsOptions } = options;
  return runParts(...parts, {
    ...partsOptions,
    health: {
      setDraining: (draining = true) => {
        for (const health of registries) health.setDraining(draining);
      },
      setStarting: (starting = true) => {
        for (const health of registries) health.setStarting(starting);
      },
    },
  });
}
