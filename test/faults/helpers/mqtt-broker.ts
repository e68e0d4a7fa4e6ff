/**
 * A dedicated Mosquitto for the fault tests (RELIABILITY §4.2), on a spare port with persistence in its
 * own directory, configured per test (autosave interval, queue limit). The test stops (`SIGTERM`, which
 * saves), kills (`SIGKILL`, which loses what was not saved), saves (`SIGUSR1`) and restarts it; the shared
 * broker on :1883 is never touched, and `cleanup()` always removes process and files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparePort } from './redis-server.js';

export const MOSQUITTO_PATH = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

export interface MosquittoConfig {
  /** Seconds between saves of the in-memory database; Mosquitto's default is 1800. */
  readonly autosaveInterval?: number;
  /** Per-session queue limit beyond in-flight messages; Mosquitto's default is 1000, 0 is unlimited. */
  readonly maxQueuedMessages?: number;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class DedicatedMosquitto {
  readonly dir = mkdtempSync(join(tmpdir(), 'ms-mqtt-fault-'));
  #process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(config: MosquittoConfig = {}): Promise<DedicatedMosquitto> {
    const broker = new DedicatedMosquitto(await sparePort());
    const lines = [
      `listener ${broker.port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${broker.dir}/`,
      `autosave_interval ${config.autosaveInterval ?? 1800}`,
      `max_queued_messages ${config.maxQueuedMessages ?? 1000}`,
      // Started as root, Mosquitto would switch to its own user and could not write the temp directory.
      'user root',
      'log_dest none',
    ];
    writeFileSync(join(broker.dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
    await broker.start();
    return broker;
  }

  url(query = ''): string {
    return `mqtt://127.0.0.1:${this.port}/${query ? `?${query}` : ''}`;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.#process = spawn(MOSQUITTO_PATH, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await listening(this.port))) {
      if (Date.now() > deadline) throw new Error(`mosquitto on ${this.port} did not start within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGTERM: Mosquitto saves its database on the way out. */
  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  /** SIGKILL: everything since the last save is lost. */
  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  /** SIGUSR1 asks Mosquitto to save its database now. */
  async save(): Promise<void> {
    this.#process?.kill('SIGUSR1');
    await new Promise((resolve) => setTimeout(resolve, 300));
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
