/**
 * A dedicated redis-server for the fault tests, on a spare port with its own directory and AOF fsync on
 * every write (RELIABILITY §2.2: only then is a `kill -9` not lossy).
 */
import { BrokerProcess, sparePort } from './broker-process.js';

export { sparePort } from './broker-process.js';

export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

export class DedicatedRedis extends BrokerProcess {
  protected readonly label = 'redis-server';
  protected readonly binary = REDIS_SERVER_PATH;
  protected readonly probe = { send: 'PING\r\n', accepts: (reply: string) => reply.startsWith('+PONG') };

  private constructor(port: number) {
    super(port, 'ms-redis-fault-');
  }

  /** Starts a server on a spare port. */
  static async start(): Promise<DedicatedRedis> {
    const server = new DedicatedRedis(await sparePort());
    await server.start();
    return server;
  }

  /** The transport URL for this server, with extra query parameters. */
  url(query = ''): string {
    return `redis://127.0.0.1:${this.port}/0${query ? `?${query}` : ''}`;
  }

  protected arguments(): string[] {
    return [
      ...['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''],
      ...['--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--loglevel', 'warning'],
    ];
  }
}
