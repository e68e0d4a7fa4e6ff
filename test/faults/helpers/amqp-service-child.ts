/**
 * A queue service in a child process, for the fault tests that kill or signal a consumer (A3, A9, E1, E3).
 * Started by `amqp-children.ts` with `node --import tsx`; it reports on stdout, one line per event (pipe
 * writes are synchronous on Linux, so a line printed before a SIGKILL is not lost):
 *   ready | start <id> <attempt> <redelivered> | done <id> | stopped
 *
 * Settings come from the environment: CHILD_URL, CHILD_QUEUE, CHILD_WORKERS, CHILD_HANDLE_MS,
 * CHILD_DRAIN_MS, CHILD_MAX_RETRIES, CHILD_CRASH_PREFIX (a handler for an id with this prefix calls
 * process.exit(1), as a worker dying mid-task) and CHILD_CRASH_ATTEMPTS (only while the attempt is at most this).
 */
import { type HandlerContext, Microservice } from '../../../src/queues/index.js';

const env = process.env;
const queue = env.CHILD_QUEUE ?? 'fault';
const handleMs = Number(env.CHILD_HANDLE_MS ?? 20);
const crashPrefix = env.CHILD_CRASH_PREFIX ?? '';
const crashAttempts = Number(env.CHILD_CRASH_ATTEMPTS ?? Number.POSITIVE_INFINITY);

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const app = new Microservice({
  connection: {
    url: env.CHILD_URL ?? 'amqp://guest:guest@127.0.0.1:5673/',
    reconnect: { initialDelayMs: 200, maxDelayMs: 2000 },
  },
  workers: Number(env.CHILD_WORKERS ?? 1),
  drainTimeout: Number(env.CHILD_DRAIN_MS ?? 5000),
  retry: { maxRetries: Number(env.CHILD_MAX_RETRIES ?? 3), backoff: { initialDelayMs: 100, maxDelayMs: 1000 } },
});

app.queue(queue, async (payload: unknown, context: HandlerContext) => {
  const id = String((payload as { id?: unknown }).id);
  say(`start ${id} ${context.attempt} ${context.message.deliveryInfo.redelivered}`);
  if (crashPrefix && id.startsWith(crashPrefix) && context.attempt <= crashAttempts) process.exit(1);
  await new Promise((resolve) => setTimeout(resolve, handleMs));
  say(`done ${id}`);
});

process.on('SIGTERM', () => {
  void app.stop().then(() => {
    say('stopped');
    process.exit(0);
  });
});

await app.ready();
say('ready');
// The parent waits for the queue's consumer count to know when consuming has started.
await app.run();
