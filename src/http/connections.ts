/**
 * Limits on the connections themselves. Node's request and headers timeouts stop only slow senders; a client
 * that asks for a large response and then stops reading keeps the socket and the unsent response in memory
 * forever. The idle timeout cuts a connection on which no byte moved either way for that long (while a
 * request is in progress; between requests `keepAliveTimeout` applies), and `maxConnections` caps how many
 * sockets are open at once (Node closes the ones past it as soon as they are accepted).
 */
import type { Server } from 'node:http';
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

/**
 * Applies the limits to `server` (from Fastify's `serverFactory`) and returns it.
 * @example serverFactory: (handler) => limitConnections(createServer(handler), { connectionTimeoutMs: 30_000 });
 */
export function limitConnections<S extends Server>(server: S, limits: ConnectionLimits): S {
  const timeout = durationOption(limits, 'connectionTimeoutMs') ?? DEFAULT_CONNECTION_TIMEOUT;
  server.setTimeout(checked('connectionTimeoutMs', timeout, 0));
  if (limits.maxConnections !== undefined) server.maxConnections = checked('maxConnections', limits.maxConnections, 1);
  return server;
}
