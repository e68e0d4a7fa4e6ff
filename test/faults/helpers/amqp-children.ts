/** Starts `amqp-service-child.ts` in a child process and follows what it reports. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD_SCRIPT = fileURLToPath(new URL('./amqp-service-child.ts', import.meta.url));

export interface ChildStart {
  readonly id: string;
  readonly attempt: number;
  readonly redelivered: boolean;
}

export interface ServiceChildSettings {
  readonly url: string;
  readonly queue: string;
  readonly workers?: number;
  readonly handleMs?: number;
  readonly drainMs?: number;
  readonly maxRetries?: number;
  readonly crashPrefix?: string;
  readonly crashAttempts?: number;
}

/** One consumer process and the events it reported. */
export class ServiceChild {
  readonly starts: ChildStart[] = [];
  readonly done: string[] = [];
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private buffered = '';

  constructor(settings: ServiceChildSettings) {
    this.process = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], {
      env: {
        ...process.env,
        LOG_LEVEL: process.env.CHILD_LOG_LEVEL ?? 'silent',
        CHILD_URL: settings.url,
        CHILD_QUEUE: settings.queue,
        CHILD_WORKERS: String(settings.workers ?? 1),
        CHILD_HANDLE_MS: String(settings.handleMs ?? 20),
        CHILD_DRAIN_MS: String(settings.drainMs ?? 5000),
        CHILD_MAX_RETRIES: String(settings.maxRetries ?? 3),
        CHILD_CRASH_PREFIX: settings.crashPrefix ?? '',
        ...(settings.crashAttempts === undefined ? {} : { CHILD_CRASH_ATTEMPTS: String(settings.crashAttempts) }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.process.stdout?.setEncoding('utf8');
    this.process.stdout?.on('data', (chunk: string) => this.onData(chunk));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get ready(): boolean {
    return this.lines.includes('ready');
  }

  kill(signal: NodeJS.Signals): void {
    this.process.kill(signal);
  }

  /** Kills the child if it still runs (afterEach). */
  async dispose(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) {
      this.lines.push(line);
      const [kind, id, attempt, redelivered] = line.split(' ');
      if (kind === 'start' && id)
        this.starts.push({ id, attempt: Number(attempt), redelivered: redelivered === 'true' });
      if (kind === 'done' && id) this.done.push(id);
    }
  }
}
