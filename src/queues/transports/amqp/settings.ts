/**
 * Turns an `amqp://` or `amqps://` URL into amqplib connect options, so the virtual host follows the
 * AMQP URI spec and kombu's habit (`amqp://host//` and `amqp://host/` both mean the vhost `/`), and so the
 * password never reaches a name or a log line.
 */
import type { Options } from 'amqplib';
import { maskPassword } from '../../../secrets.js';
import { optionalUrlNumber } from '../core/settings.js';

/** What `amqplib.connect()` needs, plus the safe display name. */
export interface AmqpEndpoint {
  readonly connect: Options.Connect;
  /** The URL with its password masked, e.g. `amqp://guest:**@localhost:5672/`. */
  readonly name: string;
  /** Shown by `rabbitmqctl list_connections client_properties`: `?connection_name=` or the masked URL. */
  readonly connectionName: string;
}

/**
 * Reads host, port, credentials, vhost and `?heartbeat=`, `?frame_max=`, `?connection_name=` from an AMQP URL.
 * @example amqpEndpoint(new URL('amqp://guest:secret@localhost:5672//'), 10).name; // 'amqp://guest:**@localhost:5672//'
 */
export function amqpEndpoint(url: URL, heartbeatSeconds: number): AmqpEndpoint {
  const secure = url.protocol === 'amqps:';
  const path = url.pathname.startsWith('/') ? url.pathname.slice(1) : url.pathname;
  // An empty path, or `//` (kombu's spelling), names RabbitMQ's default vhost.
  const vhost = path === '' || path === '/' ? '/' : decodeURIComponent(path);
  const heartbeat = optionalUrlNumber(url, 'heartbeat', 'whole number') ?? heartbeatSeconds;
  const frameMax =
    optionalUrlNumber(url, 'frame_max', 'whole number') ?? optionalUrlNumber(url, 'frameMax', 'whole number');
  const connect: Options.Connect = {
    protocol: secure ? 'amqps' : 'amqp',
    hostname: url.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: url.port ? Number(url.port) : secure ? 5671 : 5672,
    username: url.username ? decodeURIComponent(url.username) : 'guest',
    password: url.password ? decodeURIComponent(url.password) : url.username ? '' : 'guest',
    vhost,
    heartbeat,
    ...(frameMax === undefined ? {} : { frameMax }),
  };
  const name = maskPassword(url.href);
  return { connect, name, connectionName: url.searchParams.get('connection_name') || name };
}
