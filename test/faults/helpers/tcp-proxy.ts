/**
 * A tiny TCP fault proxy (toxiproxy is not available here): it forwards bytes between a client and a
 * broker and can be switched, in-process, to
 * - `pass`: forward;
 * - `blackhole`: keep every socket open but drop the bytes both ways (a half-open connection or a
 *   partition, which only heartbeats can detect);
 * - `mute`: drop what the client sends, forward what the target sends (the client's requests go unanswered
 *   while it still hears the target);
 * - `reset`: destroy every open connection with a TCP RST, then forward new ones;
 * - `down`: refuse new connections and close the open ones.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'mute' | 'down';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;
  private listeningPort = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  get port(): number {
    return this.listeningPort;
  }

  get connectionCount(): number {
    return this.pairs.size;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.listeningPort = typeof address === 'object' && address ? address.port : 0;
    return this.listeningPort;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'down') for (const pair of this.pairs) this.drop(pair, false);
  }

  /** Kills every open connection with an RST; new ones go through (in the current mode). */
  reset(): void {
    for (const pair of this.pairs) this.drop(pair, true);
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair, true);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'down') {
      client.destroy();
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    client.on('data', (chunk) => {
      if (this.mode === 'pass') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.mode === 'pass' || this.mode === 'mute') client.write(chunk);
    });
    const end = (): void => this.drop(pair, false);
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }

  private drop(pair: Pair, hard: boolean): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (hard) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
