/**
 * Picks a transport by URL scheme through a table of lazy imports, so a broker's client library is only
 * loaded when a URL names it. No global registry: a custom transport is passed in as an object instead.
 */
import { ERRORS } from '../../errors.js';
import { maskPassword } from '../../secrets.js';
import { assertTransportOptions } from '../options.js';
import type { Transport, TransportOptions } from './transport.js';

export type TransportFactory = (url: URL, options: TransportOptions) => Transport | Promise<Transport>;

const factories: Readonly<Record<string, () => Promise<TransportFactory>>> = {
  'memory:': async () => (await import('./memory/index.js')).createMemoryTransport,
  'amqp:': async () => (await import('./amqp/index.js')).createAmqpTransport,
  'amqps:': async () => (await import('./amqp/index.js')).createAmqpTransport,
  'redis:': async () => (await import('./redis/index.js')).createRedisTransport,
  'rediss:': async () => (await import('./redis/index.js')).createRedisTransport,
  'nats:': async () => (await import('./nats/index.js')).createNatsTransport,
  'mqtt:': async () => (await import('./mqtt/index.js')).createMqttTransport,
  'mqtts:': async () => (await import('./mqtt/index.js')).createMqttTransport,
};

/** The URL schemes understood out of the box. */
export const SUPPORTED_SCHEMES: readonly string[] = Object.keys(factories).map((scheme) => scheme.slice(0, -1));

/**
 * Creates the transport for a connection URL.
 * @example const transport = await createTransport('amqp://guest:guest@localhost:5672/');
 */
export async function createTransport(url: string | URL, options: TransportOptions = {}): Promise<Transport> {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch (error) {
    throw ERRORS.MS_QUEUE_BAD_URL(`not a valid broker URL: ${maskPassword(String(url))}`, {
      cause: error,
    });
  }
  const load = factories[parsed.protocol];
  if (!load) {
    throw ERRORS.MS_QUEUE_UNKNOWN_SCHEME(
      `No transport for "${parsed.protocol}" URLs; supported: ${SUPPORTED_SCHEMES.map((s) => `${s}://`).join(', ')}`,
    );
  }
  assertTransportOptions(`${parsed.protocol}// transport options`, options as Readonly<Record<string, unknown>>);
  const factory = await load();
  return factory(parsed, options);
}
