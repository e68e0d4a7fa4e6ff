/**
 * Starts and kills the consumer processes of the Redis fault tests (redis-consumer.ts under tsx), and keeps
 * the `WARN` lines they print so a test can assert on what the transport reported.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./redis-consumer.ts', import.meta.url));

export interface ConsumerProcessOptions {
  readonly url: string;
  readonly queue: string;
  readonly ledgerKey: string;
  readonly prefetch: number;
  readonly handlerDelayMs: number;
}

export class ConsumerProcesses {
  readonly warnings: string[] = [];
  readonly #children = new Set<ChildProcess>();

  constructor(private readonly options: ConsumerProcessOptions) {}

  /** Starts one consumer and resolves once it consumes. */
  start(): Promise<ChildProcess> {
    const { url, queue, ledgerKey, prefetch, handlerDelayMs } = this.options;
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        REDIS_URL: url,
        QUEUE: queue,
        LEDGER_KEY: ledgerKey,
        PREFETCH: String(prefetch),
        HANDLER_DELAY_MS: String(handlerDelayMs),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'ready') resolve(child);
          else if (line.startsWith('WARN ')) this.warnings.push(line.slice(5));
        }
      });
      child.once('exit', (code, signal) => reject(new Error(`consumer exited before ready (${code ?? signal})`)));
    });
  }

  get running(): ChildProcess[] {
    return [...this.#children];
  }

  /** SIGKILLs one consumer: no cleanup, its unacked entries stay in its pending list. */
  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.running.map((child) => this.kill(child)));
  }
}
