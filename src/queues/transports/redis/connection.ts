/**
 * The ioredis connections of the streams transport. ioredis is an optional peer dependency, so it is loaded
 * lazily and described here by the few members the transport uses (no ioredis types leak into the package's
 * declarations). Three roles, three sets of options (RELIABILITY §2.1, B4):
 * - `publisher` fails fast: no offline queue, no silent resend of an XADD whose reply was lost;
 * - `control` (acks, claims, topology) waits out a reconnect, its commands are bounded by our own timeouts;
 * - `reader` carries one blocking XREADGROUP per subscription and never resends it: after a reconnect the
 *   consumer re-reads its own pending entries instead.
 */
import { ERRORS } from '../../../errors.js';
import { backoffDelay } from '../../../internal/backoff.js';
import { raceWith, withTimeout } from '../../../internal/race.js';
import { type BrokerFailure, connectFailure, failureError } from '../core/failures.js';
import { importOptionalPeer } from '../core/optional-peer.js';
import type { ReconnectOptions } from '../transport.js';
import type { RedisEndpoint } from './settings.js';

type Argument = string | Buffer | number;

/** The part of an ioredis client the transport uses. */
export interface RedisCommands {
  call(command: string, ...args: Argument[]): Promise<unknown>;
  callBuffer(command: string, ...args: Argument[]): Promise<unknown>;
}

export interface RedisClient extends RedisCommands {
  readonly status: string;
  connect(): Promise<void>;
  disconnect(reconnect?: boolean): void;
  quit(): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

type RedisConstructor = new (options: Record<string, unknown>) => RedisClient;

export type ConnectionRole = 'publisher' | 'control' | 'reader';

const ROLE_OPTIONS: Readonly<Record<ConnectionRole, Record<string, unknown>>> = {
  publisher: { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 },
  control: { enableOfflineQueue: true, autoResendUnfulfilledCommands: true, maxRetriesPerRequest: null },
  reader: { enableOfflineQueue: true, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: null },
};

/** Loads ioredis, or fails with a message naming the package to install. */
export async function loadRedisConstructor(
  load: () => Promise<unknown> = () => import('ioredis'),
): Promise<RedisConstructor> {
  const module = await importOptionalPeer('ioredis', 'redis', load);
  const candidate =
    (module as { Redis?: unknown; default?: unknown }).Redis ?? (module as { default?: unknown }).default;
  if (typeof candidate !== 'function') {
    throw ERRORS.MS_QUEUE_PEER_MISSING('The redis:// transport found no Redis class in "ioredis"');
  }
  return candidate as RedisConstructor;
}

/** ioredis' retryStrategy from the shared reconnect options: null stops reconnecting. */
export function retryStrategy(reconnect: ReconnectOptions = {}): (attempt: number) => number | null {
  const enabled = reconnect.enabled ?? true;
  const maxAttempts = reconnect.maxAttempts ?? Number.POSITIVE_INFINITY;
  const backoff = { initialDelayMs: reconnect.initialDelayMs ?? 1000, maxDelayMs: reconnect.maxDelayMs ?? 30_000 };
  return (attempt) => (!enabled || attempt > maxAttempts ? null : backoffDelay(attempt, backoff));
}

/** Creates a (not yet connected) client for one role. */
export function createRedisClient(
  Redis: RedisConstructor,
  endpoint: RedisEndpoint,
  role: ConnectionRole,
  reconnect: ReconnectOptions | undefined,
): RedisClient {
  return new Redis({
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    ...(endpoint.username === undefined ? {} : { username: endpoint.username }),
    ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
    ...(endpoint.tls ? { tls: { servername: endpoint.host } } : {}),
    lazyConnect: true,
    protocol: 2,
    disableClientInfo: true,
    connectionName: `microservices-${role}`,
    connectTimeout: 10_000,
    retryStrategy: retryStrategy(reconnect),
    ...ROLE_OPTIONS[role],
  });
}

/** Replies that no reconnect can fix: bad credentials, missing ACL permission, a database index out of range. */
const REFUSALS = /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid username-password|DB index is out of range/;

/**
 * The Redis classifier for the core's mapping to catalogue codes (core/failures.ts): a refused login or
 * database is final; anything else is a network failure worth retrying.
 * @example redisFailure(new Error('WRONGPASS invalid username-password pair')); // 'refused-login'
 */
export function redisFailure(error: unknown): BrokerFailure | undefined {
  return REFUSALS.test((error as Error | null)?.message ?? '') ? 'refused-login' : undefined;
}

/**
 * Connects and resolves once the client is ready; ioredis keeps retrying per its retryStrategy, so this
 * rejects only when it gives up (`end`) or the signal aborts.
 */
export function connectClient(client: RedisClient, signal?: AbortSignal): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const cleanup = (): void => {
      client.off('ready', onReady);
      client.off('end', onEnd);
      client.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      lastError = error;
      if (redisFailure(error) !== 'refused-login') return;
      // Wrong credentials do not get better by retrying: stop ioredis' reconnect loop and say why.
      cleanup();
      client.disconnect();
      reject(connectFailure('Redis', error, redisFailure));
    };
    const onEnd = (): void => {
      cleanup();
      reject(failureError('unreachable', `Redis connection gave up: ${lastError?.message ?? 'closed'}`, lastError));
    };
    const onAbort = (): void => {
      cleanup();
      client.disconnect();
      reject(signal?.reason);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    client.on('ready', onReady);
    client.on('end', onEnd);
    client.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (client.status === 'wait' || client.status === 'end') client.connect().catch(() => undefined);
  });
}

/** Per client, the rejecters of commands in flight: one `close` listener serves them all. */
const inFlight = new WeakMap<RedisClient, Set<(error: Error) => void>>();

function rejectersOf(client: RedisClient): Set<(error: Error) => void> {
  let rejecters = inFlight.get(client);
  if (!rejecters) {
    const created = new Set<(error: Error) => void>();
    client.on('close', () => {
      const lost = ERRORS.MS_QUEUE_CONNECTION_LOST('The Redis connection closed before the reply');
      for (const reject of [...created]) reject(lost);
    });
    inFlight.set(client, created);
    rejecters = created;
  }
  return rejecters;
}

/**
 * Settles with `command`, or rejects as soon as the connection closes while it is in flight: a client that
 * does not resend unfulfilled commands would otherwise leave the promise pending forever.
 */
export function unlessClosed<T>(client: RedisClient, command: Promise<T>): Promise<T> {
  const rejecters = rejectersOf(client);
  return raceWith(command, (reject) => {
    rejecters.add(reject);
    return () => rejecters.delete(reject);
  });
}

/** Rejects with a timeout error when `command` has not settled within `ms` (the command may still run later). */
export function commandTimeout<T>(command: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(command, ms, () =>
    failureError(
      'timeout',
      `Redis did not answer ${what} within ${ms} ms${what === 'a publish' ? '; the message may have been delivered' : ''}`,
    ),
  );
}
