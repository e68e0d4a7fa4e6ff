/**
 * A dedicated redis-server for the fault tests, on a spare port with its own directory and AOF fsync on
 * every write (RELIABILITY §2.2: only then is a `kill -9` not lossy). The test kills, stops and restarts it
 * at will without touching the shared Redis on :6379, and `cleanup()` always removes process and files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

/** A port nothing listens on right now (the OS picks it). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export class DedicatedRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'ms-redis-fault-'));
  #process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

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

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** Starts (or restarts) the server on the same port and directory, and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.running) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--loglevel', 'warning');
    this.#process = spawn(REDIS_SERVER_PATH, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await portAnswers(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** `kill -9`: no shutdown, no final fsync beyond what `appendfsync always` already wrote. */
  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  /** A clean shutdown (SIGTERM). */
  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#process;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Kills the server and removes its files; safe to call twice. */
  async cleanup(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
