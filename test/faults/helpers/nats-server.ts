/**
 * A dedicated nats-server with JetStream for the fault tests (RELIABILITY §4.2), on a spare port with its
 * own store directory. The test kills (`SIGKILL`), stops (`SIGTERM`) and restarts it on the same port and
 * store without touching the shared server on :4222; `cleanup()` always removes process and files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparePort } from './redis-server.js';

export const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? '/usr/sbin/nats-server';

/** True once the server greets a new connection with its INFO line. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('INFO'));
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export class DedicatedNats {
  readonly dir = mkdtempSync(join(tmpdir(), 'ms-nats-fault-'));
  #process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<DedicatedNats> {
    const server = new DedicatedNats(await sparePort());
    await server.start();
    return server;
  }

  /** The transport URL for this server, with extra query parameters. */
  url(query = ''): string {
    return `nats://127.0.0.1:${this.port}/${query ? `?${query}` : ''}`;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** Starts (or restarts) on the same port and store, and waits for the INFO greeting. */
  async start(): Promise<void> {
    if (this.running) return;
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'js')];
    this.#process = spawn(NATS_SERVER_PATH, args, { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    while (!(await greets(this.port))) {
      if (Date.now() > deadline) throw new Error(`nats-server on ${this.port} did not start within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** `kill -9`: what JetStream wrote to the OS survives (the page cache does), nothing else. */
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

  async cleanup(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
