/**
 * RELIABILITY B6 on a dedicated redis-server: the retry backoff of a failed handler waits on the server.
 * A failed delivery moves, in one fenced script, to the queue's delayed set (transports/redis/delayed.ts)
 * with its delivery count; the queue's consumers promote it back once the backoff is over. So a consumer
 * SIGKILLed during the backoff loses nothing, and a second consumer that runs all along (with min-idle
 * 500 ms, which would take over an entry the dead consumer still held almost at once) does not get it early.
 * Pass: every message is retried exactly once, as attempt 2, no earlier than the backoff after its failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/queues/index.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { DedicatedRedis, REDIS_SERVER_PATH } from './helpers/redis-server.js';

const check = binary('redis-server', REDIS_SERVER_PATH);
const child = fileURLToPath(new URL('./helpers/redis-retry-child.ts', import.meta.url));
const MESSAGES = 20;
const BACKOFF_MS = 10_000;

interface Attempt {
  readonly id: string;
  readonly attempt: number;
  readonly at: number;
}

function startService(url: string, queue: string, ledgerKey: string): Promise<ChildProcess> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, REDIS_URL: url, QUEUE: queue, LEDGER_KEY: ledgerKey, BACKOFF_MS: String(BACKOFF_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    process_.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(process_);
    });
    process_.once('exit', (code, signal) => reject(new Error(`service exited before ready (${code ?? signal})`)));
  });
}

async function kill(process_: ChildProcess): Promise<void> {
  if (process_.exitCode !== null || process_.signalCode !== null) return;
  const exited = new Promise((resolve) => process_.once('exit', resolve));
  process_.kill('SIGKILL');
  await exited;
}

describe.skipIf(check.skip)('B6 redis: a retry waiting its backoff survives the consumer', () => {
  let server: DedicatedRedis;
  let raw: Redis;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await DedicatedRedis.start();
    raw = new Redis({ host: '127.0.0.1', port: server.port });
  });

  afterAll(async () => {
    for (const process_ of children) await kill(process_);
    raw?.disconnect();
    await server?.cleanup();
  });

  it('B6: consumer SIGKILLed during the backoff: each message retried once, as attempt 2, never before the backoff', async () => {
    const queue = 'b6-retries';
    const ledgerKey = 'b6-ledger';
    const url = server.url('minIdleMs=500&claimIntervalMs=200');
    const first = await startService(url, queue, ledgerKey);
    children.push(first);
    const client = new Client({ connection: url });
    await Promise.all(Array.from({ length: MESSAGES }, (_, i) => client.queue(queue).publish({ id: `b6-${i}` })));
    await client.close();
    const attempts = async (): Promise<Attempt[]> =>
      (await raw.lrange(ledgerKey, 0, -1)).map((line) => JSON.parse(line) as Attempt);
    await until('every first attempt failed', async () => (await attempts()).length >= MESSAGES, 20_000);
    // The failures are waiting on the server, in the queue's delayed set, not in the consumer.
    await until('every retry in the delayed set', async () => (await raw.zcard(`ms:d:${queue}`)) === MESSAGES, 5000);

    const second = await startService(url, queue, ledgerKey);
    children.push(second);
    await kill(first);
    const killedAt = Date.now();
    const failedAt = new Map((await attempts()).map((entry) => [entry.id, entry.at]));
    expect(killedAt - Math.max(...failedAt.values())).toBeLessThan(BACKOFF_MS);

    await until('every retry handled', async () => (await attempts()).length >= 2 * MESSAGES, BACKOFF_MS + 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // room for a duplicate to show up
    const all = await attempts();
    const retries = all.filter((entry) => entry.attempt !== 1);
    expect(all.filter((entry) => entry.attempt === 1)).toHaveLength(MESSAGES);
    expect(retries.map((entry) => entry.attempt)).toEqual(Array(MESSAGES).fill(2));
    expect(new Set(retries.map((entry) => entry.id)).size).toBe(MESSAGES);
    const waited = retries.map((entry) => entry.at - (failedAt.get(entry.id) ?? 0));
    console.info(
      `B6: retries came ${Math.min(...waited)}..${Math.max(...waited)} ms after the failure (backoff ${BACKOFF_MS})`,
    );
    expect(Math.min(...waited)).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect(await raw.zcard(`ms:d:${queue}`)).toBe(0);
  });
});
