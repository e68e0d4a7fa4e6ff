/**
 * Reads a `redis://` / `rediss://` URL into the settings of the Redis Streams transport. Transport tuning
 * travels in the query string (so a service moves between brokers by changing one URL) and is stripped
 * before the connection options are built, so ioredis never sees parameters it does not know.
 */
import { hostname } from 'node:os';
import { ERRORS } from '../../../errors.js';
import { maskPassword } from '../../../secrets.js';
import { urlNumber } from '../core/settings.js';
import type { TransportOptions } from '../transport.js';

/** Transport settings besides the connection itself; all have defaults. */
export interface RedisStreamSettings {
  /** Prefix of every key the transport writes (streams, topology hashes). Default `ms:`. */
  readonly prefix: string;
  /** Consumer group that the consumers of one queue share. Default `microservices`. */
  readonly group: string;
  /** An entry idle this long in another consumer's pending list is taken over (XAUTOCLAIM). Default 30 000. */
  readonly minIdleMs: number;
  /** How often a consumer looks for abandoned entries, and the longest a blocking read waits. Default 1000. */
  readonly claimIntervalMs: number;
  /** How often unsettled deliveries get their idle time reset; 0 turns the lease renewal off. Default minIdle/3. */
  readonly leaseRenewMs: number;
  /** Prefix of consumer names when no consumerTag is given; a random suffix keeps it unique. */
  readonly consumerPrefix: string;
}

/** What the ioredis constructor needs to reach the server. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

export interface RedisTransportSettings {
  /** The URL with its password masked; safe to log. */
  readonly name: string;
  readonly endpoint: RedisEndpoint;
  readonly streams: RedisStreamSettings;
}

/** Options of `createRedisTransport` beyond the shared ones; each also has a URL query form. */
export interface RedisTransportOptions extends TransportOptions {
  readonly streams?: Partial<RedisStreamSettings>;
}

function databaseOf(url: URL): number {
  const path = url.pathname.replace(/^\//, '');
  if (path === '') return 0;
  const db = Number(path);
  if (!Number.isInteger(db) || db < 0) {
    throw ERRORS.MS_QUEUE_BAD_URL(`redis:// path must be a database number, not "/${path}"`);
  }
  return db;
}

/**
 * Parses the URL; query parameters `prefix`, `group`, `minIdleMs`, `claimIntervalMs`, `leaseRenewMs` tune
 * the streams, and explicit `options.streams` win over them.
 * @example parseRedisUrl(new URL('redis://:secret@localhost:6379/2?minIdleMs=5000'), {}).name;
 * // 'redis://:**@localhost:6379/2?minIdleMs=5000'
 */
export function parseRedisUrl(url: URL, options: RedisTransportOptions = {}): RedisTransportSettings {
  const query = url.searchParams;
  const minIdleMs = options.streams?.minIdleMs ?? urlNumber(url, 'minIdleMs', 30_000, 'positive integer');
  if (minIdleMs < 1) throw ERRORS.MS_QUEUE_BAD_URL('redis:// minIdleMs must be at least 1');
  const streams: RedisStreamSettings = {
    prefix: query.get('prefix') ?? 'ms:',
    group: query.get('group') ?? 'microservices',
    minIdleMs,
    claimIntervalMs: urlNumber(url, 'claimIntervalMs', 1000, 'whole number') || 1000,
    leaseRenewMs: urlNumber(url, 'leaseRenewMs', Math.max(1, Math.floor(minIdleMs / 3)), 'whole number'),
    consumerPrefix: `${hostname()}-${process.pid}`,
    ...options.streams,
  };
  const endpoint: RedisEndpoint = {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    db: databaseOf(url),
    tls: url.protocol === 'rediss:',
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  };
  return { name: maskPassword(url.href), endpoint, streams };
}
