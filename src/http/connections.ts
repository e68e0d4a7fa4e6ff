/**
 * Limits on the connections themselves. Node's request and headers timeouts stop only slow senders; a client
 * that asks for a large response and then stops reading keeps the socket and the unsent response in memory
 * forever. The idle timeout cuts a connection on which no byte moved either way for that long (while a
 * request is in progress; between requests `keepAliveTimeout` applies), and `maxConnections` caps how many
 * sockets are open at once (Node closes the ones past it as soon as they are accepted).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { durationOption } from './service-options.js';

/** Default idle timeout: as long as common load balancers (60 s) allow an idle connection. */
export const DEFAULT_CONNECTION_TIMEOUT = 60_000;

/**
 * The connection options of a service (see `MicroserviceOptions`).
 * @example new Microservice('notes', { connectionTimeoutMs: 30_000, maxConnections: 1000 });
 */
export interface ConnectionLimits {
  /** Milliseconds a connection may stay silent during a request before it is closed; 0 turns this off. */
  readonly connectionTimeoutMs?: number | undefined;
  /** @deprecated Use `connectionTimeoutMs` (same value, in ms). */
  readonly connectionTimeout?: number | undefined;
  /** Most sockets open at once; more are closed on accept. Unlimited by default. */
  readonly maxConnections?: number | undefined;
}

function checked(name: string, value: number, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer of at least ${minimum}, not ${value}`);
  }
  return value;
}

/** What a watched connection last showed: its byte counts and when they last moved. */
interface Progress {
  read: number;
  written: number;
  queued: number;
  since: number;
}

/** The parts of a socket the idle check reads (`_httpMessage`: the response in progress, Node's own field). */
type WatchedSocket = Socket & {
  readonly _httpMessage?: unknown;
  readonly _handle?: { readonly writeQueueSize?: number } | null;
};

const IDLE_TIMEOUT: unique symbol = Symbol('microservices-ts idle timeout');

/**
 * The idle timeout a server was given (0: off).
 * @example idleTimeoutOf(app.fastify.server); // 60000
 */
export function idleTimeoutOf(server: Server): number {
  return (server as Server & { [IDLE_TIMEOUT]?: number })[IDLE_TIMEOUT] ?? 0;
}

/**
 * Cuts connections on which a request is in progress and no byte moved for `timeoutMs`, checked every quarter of
 * it. One sweep over the open connections replaces Node's per-socket timer (`server.setTimeout`), which is
 * re-armed on every read and write and replaced twice per keep-alive request: that cost every request about
 * half a microsecond (bench/http/in-process-sockets.mjs with `VARIANT_OPTIONS='{"connectionTimeoutMs":0}'`) to
 * catch the rare connection that stalls. A stalled one is cut between `timeoutMs` and 1.25 × `timeoutMs`.
 * "Moved" counts bytes read, bytes handed to the socket and bytes still queued in the kernel's direction, so a
 * client that reads slowly but steadily is never cut.
 */
function watchIdleConnections(server: Server, timeoutMs: number): void {
  const open = new Map<WatchedSocket, Progress>();
  server.on('connection', (socket: WatchedSocket) => {
    open.set(socket, { read: -1, written: -1, queued: -1, since: 0 });
    socket.once('close', () => open.delete(socket));
  });
  const sweep = (): void => {
    const now = Date.now();
    for (const [socket, progress] of open) {
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      const queued = socket._handle?.writeQueueSize ?? 0;
      const idle = socket._httpMessage == null;
      if (idle || read !== progress.read || written !== progress.written || queued !== progress.queued) {
        // Between requests keepAliveTimeout applies; a connection that moved starts its idle time again.
        progress.read = read;
        progress.written = written;
        progress.queued = queued;
        progress.since = now;
      } else if (now - progress.since >= timeoutMs) {
        open.delete(socket);
        socket.destroy();
      }
    }
  };
  const timer = setInterval(sweep, Math.max(50, Math.floor(timeoutMs / 4)));
  timer.unref();
  server.once('close', () => clearInterval(timer));
}

/**
 * Applies the limits to `server` (from Fastify's `serverFactory`) and returns it.
 * @example serverFactory: (handler) => limitConnections(createServer(handler), { connectionTimeoutMs: 30_000 });
 */
export function limitConnections<S extends Server>(server: S, limits: ConnectionLimits): S {
  const timeout = checked(
    'connectionTimeoutMs',
    durationOption(limits, 'connectionTimeoutMs') ?? DEFAULT_CONNECTION_TIMEOUT,
    0,
  );
  (server as Server & { [IDLE_TIMEOUT]?: number })[IDLE_TIMEOUT] = timeout;
  if (timeout > 0) watchIdleConnections(server, timeout);
  if (limits.maxConnections !== undefined) server.maxConnections = checked('maxConnections', limits.maxConnections, 1);
  return server;
}
