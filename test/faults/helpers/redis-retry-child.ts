/**
 * A queue service process for the Redis retry-backoff fault test (run with tsx so the test can SIGKILL it).
 * It consumes QUEUE from REDIS_URL with retries spaced by exactly BACKOFF_MS (no jitter); its handler records
 * `{ id, attempt, at }` in the Redis list LEDGER_KEY, then fails the first attempt of every message. Prints
 * `ready` once consuming.
 */
import { Redis } from 'ioredis';
import { Microservice } from '../../../src/queues/index.js';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
const queue = process.env.QUEUE ?? 'jobs';
const ledgerKey = process.env.LEDGER_KEY ?? 'ledger';
const backoffMs = Number(process.env.BACKOFF_MS ?? '5000');

const ledger = new Redis({ host: url.hostname, port: Number(url.port), lazyConnect: true });
await ledger.connect();
const app = new Microservice({
  connection: { url: url.href, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } },
  retry: { maxRetries: 3, backoff: { initialDelayMs: backoffMs, maxDelayMs: backoffMs, jitter: 0 } },
});
app.queue(queue, async (payload, context) => {
  const { id } = payload as { id: string };
  await ledger.rpush(ledgerKey, JSON.stringify({ id, attempt: context.attempt, at: Date.now() }));
  if (context.attempt === 1) throw new Error(`first attempt of ${id} fails`);
});
await app.start();
process.stdout.write('ready\n');
