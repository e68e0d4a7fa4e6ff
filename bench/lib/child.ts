/**
 * Child processes for the benchmark: every server under load, every client and every queue run lives in its
 * own fresh process (harness code under tsx; the toolkit itself loaded from the built `dist/`, lib/toolkit.ts),
 * talking to the driver over IPC.
 * That keeps one implementation's JIT state, sockets and heap from colouring the next one's figures.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinLoadWorkers, pinningEnabled, pinProcess, SERVER_CPU } from './cpu-pinning.js';

/** Messages a benchmark child sends to the driver. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port?: number }
  | { readonly type: 'progress'; readonly count: number }
  | { readonly type: 'result'; readonly data: unknown }
  | { readonly type: 'unavailable'; readonly reason: string }
  | { readonly type: 'error'; readonly message: string };

// Inside a benchmark child (forked with IPC): leave when the driver goes away, so an interrupted run
// never leaves a server or a load generator behind.
if (process.send) process.once('disconnect', () => process.exit(0));

/** Raised when the code under test is not there yet (a placeholder module), so the row says so. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

const TAIL_BYTES = 4000;
/** USER_HZ: Linux reports process CPU times in 1/100 s on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A running benchmark child, with its stderr tail kept for error messages.
 * @example const child = BenchChild.start('http/server-child.ts', ['fastify']); await child.ready();
 */
export class BenchChild {
  readonly process: ChildProcess;
  #stderr = '';
  #messages: ChildMessage[] = [];
  #waiters: Array<() => void> = [];
  #exited = false;

  private constructor(process: ChildProcess) {
    this.process = process;
    process.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-TAIL_BYTES);
    });
    process.stdout?.resume();
    process.on('message', (message) => {
      this.#messages.push(message as ChildMessage);
      this.#wake();
    });
    process.on('exit', () => {
      this.#exited = true;
      this.#wake();
    });
  }

  /**
   * Starts `bench/<script>` with IPC, under tsx unless it is plain JavaScript (`.mjs`); extra node flags
   * (e.g. `--cpu-prof`) go before the script.
   */
  static start(script: string, args: readonly string[], nodeFlags: readonly string[] = []): BenchChild {
    const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
    const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
    const child = fork(path, [...args], {
      execArgv: [...loader, ...nodeFlags],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'production' },
    });
    return new BenchChild(child);
  }

  /**
   * Starts an HTTP server child pinned to the server core (cpu-pinning.ts), and makes the load workers that
   * follow pin themselves to the other one.
   */
  static startServer(script: string, args: readonly string[], nodeFlags: readonly string[] = []): BenchChild {
    const child = BenchChild.start(script, args, nodeFlags);
    if (pinningEnabled()) {
      pinProcess(child.pid, SERVER_CPU);
      pinLoadWorkers();
    }
    return child;
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  /** CPU time (user + system) the child has used so far, in ms, read from /proc (Linux). */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  }

  /** The resident set size of the child right now, read from /proc (Linux). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : Number.NaN;
  }

  send(message: unknown): void {
    this.process.send?.(message as Parameters<NonNullable<ChildProcess['send']>>[0]);
  }

  /** Waits for the next message of the given types; an exit or an `error` message rejects. */
  async next(timeoutMs: number): Promise<ChildMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.#messages.shift();
      if (message) {
        if (message.type === 'error') throw new Error(`${message.message}${this.#stderrNote()}`);
        if (message.type === 'unavailable') throw new UnavailableError(message.reason);
        return message;
      }
      if (this.#exited) throw new Error(`child exited (code ${this.process.exitCode})${this.#stderrNote()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`child sent nothing within ${timeoutMs} ms${this.#stderrNote()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for `ready` and returns the port the child listens on (if any). */
  async ready(timeoutMs = 30_000): Promise<number | undefined> {
    const message = await this.next(timeoutMs);
    if (message.type !== 'ready') throw new Error(`expected ready, got ${message.type}`);
    return message.port;
  }

  /** Waits for the child's `result`, calling `onProgress` for each `progress` message on the way. */
  async result(timeoutMs: number, onProgress?: (count: number) => void): Promise<unknown> {
    for (;;) {
      const message = await this.next(timeoutMs);
      if (message.type === 'result') return message.data;
      if (message.type !== 'progress') throw new Error(`expected result, got ${message.type}`);
      onProgress?.(message.count);
    }
  }

  /** Asks the child to stop (SIGTERM), then kills it if it lingers. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#exited) return;
    this.process.kill('SIGTERM');
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #stderrNote(): string {
    const tail = this.#stderr.trim();
    return tail ? `\n--- child stderr (tail) ---\n${tail}` : '';
  }
}

/**
 * Runs a one-shot child to completion and returns its `result` payload.
 * @example const data = await runChild('client/client-child.ts', ['undici', url, '50', '5'], 60_000);
 */
export async function runChild(
  script: string,
  args: readonly string[],
  timeoutMs: number,
  onProgress?: (count: number) => void,
): Promise<unknown> {
  const child = BenchChild.start(script, args);
  try {
    return await child.result(timeoutMs, onProgress);
  } finally {
    await child.stop();
  }
}

/**
 * For use inside a child: reports a thrown error to the driver as `unavailable` (code not landed yet) or
 * `error`, then exits.
 * @example process.on('uncaughtException', reportFailure);
 */
export function reportFailure(error: unknown): void {
  const message: ChildMessage =
    error instanceof UnavailableError
      ? { type: 'unavailable', reason: error.message }
      : { type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  process.send?.(message, () => process.exit(1));
}

/**
 * For use inside a child: sends a message to the driver.
 * @example sendToDriver({ type: 'ready', port: 3000 });
 */
export function sendToDriver(message: ChildMessage): void {
  process.send?.(message);
}
