/**
 * Turns the `connection` option of the queue service and client into a transport: a URL, an options object
 * with a `url`, or a ready `Transport`. The default is the seed's `amqp://guest:guest@localhost:5672/`,
 * overridden by the environment variable `BROKER_URL`.
 */
import { maskPassword } from '../secrets.js';
import { heartbeatOptions } from './renamed-options.js';
import { createTransport } from './transports/index.js';
import type { Transport, TransportOptions } from './transports/transport.js';

/** The seed's default broker. @example new Client(process.env.BROKER_URL ?? DEFAULT_BROKER_URL); */
export const DEFAULT_BROKER_URL = 'amqp://guest:guest@localhost:5672/';

/** A connection URL plus transport options. */
export interface ConnectionOptions extends TransportOptions {
  readonly url: string | URL;
  /** Heartbeat interval in ms, rounded up to whole seconds (brokers negotiate heartbeats in seconds). Default 10 000. */
  readonly heartbeatMs?: number;
  /** @deprecated Use `heartbeatMs` (in ms: `heartbeatSeconds * 1000`). */
  readonly heartbeatSeconds?: number;
}

export type Connection = string | URL | ConnectionOptions | Transport;

export interface ResolvedConnection {
  /** Safe to log: any password masked. */
  readonly displayName: string;
  /** Creates (or hands back) the transport. */
  readonly create: () => Promise<Transport>;
  /** False when the caller passed a transport in: then closing it is the caller's job. */
  readonly owned: boolean;
}

function isTransport(value: unknown): value is Transport {
  return typeof value === 'object' && value !== null && typeof (value as Transport).consume === 'function';
}

/**
 * @example resolveConnection('memory://demo', {}).displayName; // 'memory://demo'
 */
export function resolveConnection(connection: Connection | undefined, defaults: TransportOptions): ResolvedConnection {
  if (isTransport(connection)) {
    return { displayName: connection.name, create: async () => connection, owned: false };
  }
  let url: string | URL;
  let options: TransportOptions = defaults;
  if (connection === undefined || connection === '') {
    url = process.env.BROKER_URL || DEFAULT_BROKER_URL;
  } else if (typeof connection === 'string' || connection instanceof URL) {
    url = connection;
  } else {
    const { url: given, ...rest } = connection;
    url = given;
    options = heartbeatOptions({ ...defaults, ...rest });
  }
  return { displayName: maskPassword(String(url)), create: () => createTransport(url, options), owned: true };
}
