/**
 * A consumer process for the Redis fault tests (run with tsx so the test can SIGKILL it). It consumes
 * QUEUE from REDIS_URL, records every delivery in the Redis list LEDGER_KEY *before* acking (so a kill
 * between the two shows up as a duplicate, never as a loss), works HANDLER_DELAY_MS per message, and
 * prints `ready` once consuming and `WARN <message>` for every transport warning.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../../src/logging.js';
import { createRedisTransport } from '../../../src/queues/transports/redis/index.js';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
const queue = process.env.QUEUE ?? 'jobs';
const ledgerKey = process.env.LEDGER_KEY ?? 'ledger';
const prefetch = Number(process.env.PREFETCH ?? '10');
const handlerDelayMs = Number(process.env.HANDLER_DELAY_MS ?? '0');

const quiet = (): void => {};
const logger: Logger = {
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: (message) => process.stdout.write(`WARN ${message}\n`),
  error: (message) => process.stdout.write(`WARN ${message}\n`),
};

const ledger = new Redis({ host: url.hostname, port: Number(url.port), lazyConnect: true });
await ledger.connect();
const transport = await createRedisTransport(url, { logger, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
await transport.connect();
await transport.consume(
  queue,
  (delivery) => {
    void (async () => {
      await ledger.rpush(ledgerKey, delivery.body.toString());
      if (handlerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, handlerDelayMs));
      await delivery.ack();
    })();
  },
  { prefetch },
);
process.stdout.write('ready\n');
