/**
 * A tiny, framework-free listener on node:http for services without an HTTP part (a queue worker): `/healthz`,
 * `/readyz` and, when given metrics, `/metrics`. It answers GET and HEAD only, never reads a request body, and
 * closes the connection after any request it refuses.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERRORS } from '../errors.js';
import type { HealthRegistry, HealthReport } from './health.js';
import type { Metrics } from './metrics.js';

/** Options of {@link startOpsServer}. */
export interface OpsServerOptions {
  /** The port; 0 picks a free one (read it from the result). */
  readonly port: number;
  /** The interface to listen on. Default `127.0.0.1`; use `0.0.0.0` for Kubernetes probes from the kubelet. */
  readonly host?: string;
  readonly health: HealthRegistry;
  /** Serve `GET /metrics` from this set; without it `/metrics` is 404. */
  readonly metrics?: Pick<Metrics, 'scrape' | 'contentType'>;
}

/** A running ops listener. */
export interface OpsServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes idle connections; resolves once closed. */
  close(): Promise<void>;
}

const PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendReport(res: ServerResponse, req: IncomingMessage, report: HealthReport): void {
  send(res, req, report.status, 'application/json; charset=utf-8', JSON.stringify(report.body));
}

function refuse(res: ServerResponse, status: 404 | 405, allow: boolean): void {
  const body = JSON.stringify({ status: status === 404 ? 'not found' : 'method not allowed' });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    ...(allow ? { allow: 'GET, HEAD' } : {}),
  });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse, options: OpsServerOptions): Promise<void> {
  const rawUrl = req.url ?? '';
  const path = rawUrl.slice(0, rawUrl.search(/[?#]|$/));
  const known = PATHS.has(path) && (path !== '/metrics' || options.metrics !== undefined);
  if (!known) return refuse(res, 404, false);
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, true);
  if (path === '/healthz') return sendReport(res, req, await options.health.liveness());
  if (path === '/readyz') return sendReport(res, req, await options.health.readiness());
  const metrics = options.metrics as NonNullable<OpsServerOptions['metrics']>;
  send(res, req, 200, metrics.contentType, await metrics.scrape());
}

/**
 * Starts the ops listener and resolves once it listens.
 * @example
 * const health = new HealthRegistry();
 * const ops = await startOpsServer({ port: 9464, host: '0.0.0.0', health, metrics: await createMetrics() });
 * // GET /healthz, /readyz, /metrics; later: await ops.close();
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw ERRORS.MS_OPS_INVALID_OPTION(`port must be an integer in 0-65535, got ${options.port}`);
  }
  const server = createServer(
    { maxHeaderSize: 8 * 1024, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      handle(req, res, options).catch(() => {
        // Health never throws; a failing scrape must not show its error (it may name internals).
        if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', 'internal error');
        else res.destroy();
      });
    },
  );
  server.maxRequestsPerSocket = 100;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
