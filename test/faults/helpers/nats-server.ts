/**
 * A dedicated nats-server with JetStream for the fault tests (RELIABILITY §4.2), on a spare port with its
 * own store directory; a `kill -9` keeps what JetStream wrote to the OS (the page cache does), nothing else.
 */
import { join } from 'node:path';
import { BrokerProcess, sparePort } from './broker-process.js';

export const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? '/usr/sbin/nats-server';

export class DedicatedNats extends BrokerProcess {
  protected readonly label = 'nats-server';
  protected readonly binary = NATS_SERVER_PATH;
  /** Ready once it greets a new connection with its INFO line. */
  protected readonly probe = { accepts: (greeting: string) => greeting.startsWith('INFO') };
  protected override readonly startTimeoutMs = 15_000;

  private constructor(
    port: number,
    private readonly extra: readonly string[],
  ) {
    super(port, 'ms-nats-fault-');
  }

  /** `extra`: more nats-server arguments, e.g. `['--user', 'u', '--pass', 'p']` to require a login. */
  static async start(extra: readonly string[] = []): Promise<DedicatedNats> {
    const server = new DedicatedNats(await sparePort(), extra);
    await server.start();
    return server;
  }

  /** The transport URL for this server, with extra query parameters. */
  url(query = ''): string {
    return `nats://127.0.0.1:${this.port}/${query ? `?${query}` : ''}`;
  }

  protected arguments(): string[] {
    return ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'js'), ...this.extra];
  }
}
