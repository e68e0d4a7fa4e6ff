/**
 * This toolkit's HTTP service (the built `dist/http`, see lib/toolkit.ts) serving the same four scenarios.
 * The module is loaded dynamically and checked at run time, so that the bench keeps working (and says
 * "not yet available") while the service is still a placeholder.
 */
import { pathToFileURL } from 'node:url';
import { UnavailableError } from '../../lib/child.js';
import { loadToolkit } from '../../lib/toolkit.js';
import { ECHO_PATH, PLAIN_BODY, PLAIN_PATH, RESOURCE_DATA, RESOURCE_PATH } from '../workload.js';
import type { RunningServer } from './running-server.js';

interface ToolkitRequest {
  readonly data: unknown;
}

interface ToolkitApp {
  route(rule: string, options: object, handler: (req: ToolkitRequest) => unknown): unknown;
  listen(options: { port: number; host: string }): Promise<unknown>;
  close(): Promise<void>;
  readonly fastify?: { readonly server: { address(): unknown } };
}

interface ToolkitHttpModule {
  readonly Microservice: new (name: string, options?: object) => ToolkitApp;
  readonly ResourceMarker: new (options?: object) => object;
}

function isHttpModule(value: unknown): value is ToolkitHttpModule {
  const mod = value as Partial<Record<string, unknown>>;
  return typeof mod.Microservice === 'function' && typeof mod.ResourceMarker === 'function';
}

function portFrom(listened: unknown, app: ToolkitApp): number {
  const address = app.fastify?.server.address() as { port?: unknown } | null | undefined;
  if (typeof address?.port === 'number') return address.port;
  if (typeof listened === 'string') return Number(new URL(listened).port);
  const port = (listened as { port?: unknown } | null)?.port;
  if (typeof port === 'number') return port;
  throw new Error('cannot tell which port the toolkit service listens on');
}

/**
 * Starts the toolkit's service with the benchmark's routes; `distDir` (bench/http/ab.ts's baseline) loads
 * another build than `dist/`, `options` another configuration of the service.
 */
export async function start(distDir?: string, options: object = {}): Promise<RunningServer> {
  const mod =
    distDir === undefined ? await loadToolkit('http') : await import(pathToFileURL(`${distDir}/http/index.js`).href);
  if (!isHttpModule(mod)) throw new UnavailableError('dist/http does not export Microservice and ResourceMarker yet');
  const app = new mod.Microservice('bench', options);
  app.route(PLAIN_PATH, { methods: ['GET'], endpoint: 'plain' }, () => PLAIN_BODY);
  app.route(
    RESOURCE_PATH,
    { methods: ['GET'], endpoint: 'resource', resource: new mod.ResourceMarker(), description: 'Benchmark resource' },
    () => RESOURCE_DATA,
  );
  app.route(ECHO_PATH, { methods: ['POST'], endpoint: 'echo' }, (req) => req.data);
  const listened = await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: portFrom(listened, app), close: () => app.close() };
}
