/**
 * Request/reply throughput (issue 14 part 1): calls/s of `client.queue(name).call()` at concurrency 1 and 50
 * on RabbitMQ and NATS, beside Moleculer 0.14's `broker.call()` over the same RabbitMQ (Moleculer's NATS
 * transporter needs the `nats` package, which is not installed). Every row runs in this one process,
 * alternating implementations round by round, so the ratios are side by side under the same load.
 *
 *   flock /tmp/ms-bench.lock npx tsx bench/queues/rpc/rpc.ts [--seconds 5] [--rounds 2]
 *
 * A broker that does not answer on its port is skipped with a note.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { Client, Microservice } from '../../../src/queues/index.js';

interface Target {
  readonly label: string;
  readonly port: number;
  /** Starts the responder and the caller; resolves to one call and a teardown. */
  readonly open: () => Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }>;
}

const AMQP = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const NATS = 'nats://127.0.0.1:4222/';
const run = randomBytes(3).toString('hex');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Our service and client on `url`, the queue named per run. */
function toolkit(label: string, url: string, port: number): Target {
  return {
    label,
    port,
    open: async () => {
      const queue = `bench-rpc-${run}.math.add`;
      const app = new Microservice({ connection: url, workers: 64, logger: silent });
      // Connection lines of the transports go to their own logger; quiet enough for a bench.
      app.queue(queue, (payload) => {
        const { a, b } = payload as { a: number; b: number };
        return a + b;
      });
      await app.start();
      const client = new Client({ connection: url, logger: silent });
      const add = client.queue(queue);
      return {
        call: () => add.call({ a: 1, b: 2 }, { timeoutMs: 30_000 }),
        close: async () => {
          await client.close();
          await app.stop();
          const cleaner = new Client({ connection: url, logger: silent });
          await cleaner.deleteQueue(queue).catch(() => undefined);
          await cleaner.deleteQueue(`${queue}.dead-letter`).catch(() => undefined);
          await cleaner.close();
        },
      };
    },
  };
}

/** Moleculer 0.14: a service node and a caller node over the AMQP transporter. */
function moleculer(label: string, url: string, port: number): Target {
  return {
    label,
    port,
    open: async () => {
      const { ServiceBroker } = (await import('moleculer')).default;
      const namespace = `bench-rpc-${run}`;
      // Its AMQP transporter defaults to prefetch 1; 64 matches the toolkit service's 64 workers.
      const transporter = { type: 'AMQP', options: { url, prefetch: 64 } };
      const options = { namespace, transporter, logger: false as const };
      const server = new ServiceBroker({ ...options, nodeID: `server-${run}` });
      server.createService({
        name: 'math',
        actions: { add: (context: { params: { a: number; b: number } }) => context.params.a + context.params.b },
      });
      const caller = new ServiceBroker({ ...options, nodeID: `caller-${run}` });
      await server.start();
      await caller.start();
      await caller.waitForServices('math');
      return {
        call: () => caller.call('math.add', { a: 1, b: 2 }),
        close: async () => {
          await caller.stop();
          await server.stop();
        },
      };
    },
  };
}

const silent = {
  level: 'silent',
  fatal() {},
  error() {},
  warn() {},
  info() {},
  debug() {},
  trace() {},
  child() {
    return silent;
  },
} as never;

/** Calls/s with `concurrency` loops calling back to back for `seconds`. */
async function measure(call: () => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  for (let i = 0; i < 200; i += 1) await call(); // warm-up
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await call();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const seconds = argument('seconds', 5);
const rounds = argument('rounds', 2);
const targets: Target[] = [
  toolkit('microservices-ts, amqp (direct reply-to)', AMQP, 5672),
  moleculer('Moleculer 0.14, amqp transporter', AMQP, 5672),
  toolkit('microservices-ts, nats (core inbox)', NATS, 4222),
];
const results = new Map<string, { c1: number[]; c50: number[] }>();
const notes: string[] = [];
const loadBefore = loadavg()[0] ?? 0;
for (let round = 0; round < rounds; round += 1) {
  for (const target of targets) {
    if (!(await listening(target.port))) {
      if (round === 0) notes.push(`${target.label}: skipped, nothing listens on ${target.port}`);
      continue;
    }
    const opened = await target.open();
    try {
      const row = results.get(target.label) ?? { c1: [], c50: [] };
      row.c1.push(await measure(opened.call, 1, seconds));
      row.c50.push(await measure(opened.call, 50, seconds));
      results.set(target.label, row);
    } finally {
      await opened.close();
    }
  }
}
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
console.log(
  `\nRequest/reply, ${rounds} round(s) of ${seconds} s per cell, median calls/s (the upper one for an even count)`,
);
console.log(`load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after\n`);
console.log('| Implementation | concurrency 1 | concurrency 50 |');
console.log('| --- | ---: | ---: |');
for (const [label, row] of results) {
  console.log(`| ${label} | ${median(row.c1).toFixed(0)} | ${median(row.c50).toFixed(0)} |`);
}
for (const note of notes) console.log(`\n${note}`);
process.exit(0);
