/**
 * The life of a dedicated broker process for the fault tests: started on a spare port with its own directory,
 * killed (`SIGKILL`), stopped (`SIGTERM`) and restarted on the same port and directory by the test, and always
 * removed by `cleanup()`. The shared brokers on the standard ports are never touched. Subclasses say which
 * binary to run with which arguments, and how to tell that it answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export interface Probe {
  /** Sent once connected (e.g. `PING\r\n`); nothing when absent. */
  readonly send?: string;
  /** Decides from the first bytes received; without it, a successful connect is enough. */
  readonly accepts?: (firstBytes: string) => boolean;
}

/** True when something on `port` answers as `probe` expects within 500 ms. */
export function probePort(port: number, probe: Probe = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => {
      if (probe.send) socket.write(probe.send);
      if (!probe.accepts) done(true);
    });
    socket.once('data', (data) => done(probe.accepts?.(data.toString()) ?? true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

export abstract class BrokerProcess {
  readonly dir: string;
  #process: ChildProcess | undefined;

  protected constructor(
    readonly port: number,
    directoryPrefix: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), directoryPrefix));
  }

  /** Human name for errors, e.g. `redis-server`. */
  protected abstract readonly label: string;
  protected abstract readonly binary: string;
  protected abstract arguments(): string[];
  protected abstract readonly probe: Probe;
  protected readonly startTimeoutMs: number = 10_000;

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** Starts (or restarts) on the same port and directory, and waits until it answers. */
  async start(): Promise<void> {
    if (this.running) return;
    this.#process = spawn(this.binary, this.arguments(), { stdio: 'ignore' });
    const deadline = Date.now() + this.startTimeoutMs;
    while (!(await probePort(this.port, this.probe))) {
      if (Date.now() > deadline)
        throw new Error(`${this.label} on ${this.port} did not start within ${this.startTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** `kill -9`: no shutdown work; what the broker had not written is lost. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** A clean shutdown (SIGTERM). */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** Sends a signal and, for one that ends the process, waits until it has exited. */
  protected async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#process;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Sends a signal that does not end the process (e.g. SIGUSR1). */
  protected notify(signal: NodeJS.Signals): void {
    this.#process?.kill(signal);
  }

  /** Kills the process and removes its files; safe to call twice. */
  async cleanup(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
