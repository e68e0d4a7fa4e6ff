/**
 * Request/reply interoperability with Python kombu over RabbitMQ (issue 14 part 1): a plain kombu RPC client
 * (reply_to + correlation_id, with direct reply-to or the tutorial's exclusive callback queue) calls our
 * service, and our `call()` calls a kombu responder, including its error replies. Runs Debian's
 * /usr/bin/python3 with python3-kombu; skips with the reason when either is missing.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice, RemoteError } from '../../src/queues/index.js';
import { uniqueName } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';
import { kombuCheck, PYTHON } from './helpers/kombu.js';

const AMQP_URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const SCRIPT = fileURLToPath(new URL('./helpers/kombu_rpc.py', import.meta.url));
const check = await rabbitmq();
const kombu = check.skip ? { skip: true, reason: check.reason } : kombuCheck();

/** Runs kombu_rpc.py; `onLine` sees each line of its output as it comes; resolves with all of it. */
function runPeer(args: readonly string[], onLine: (line: string) => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill(), 40_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      out += text;
      for (const line of text.split('\n')) if (line) onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kombu_rpc.py ${args[0]} exited with ${code}: ${err}`));
    });
  });
}

describe.skipIf(kombu.skip)('request/reply with Python kombu on RabbitMQ', () => {
  let connection: amqplib.ChannelModel;
  let channel: amqplib.Channel;
  const queues: string[] = [];
  const name = (what: string): string => {
    const queue = uniqueName('kombu-rpc', what);
    queues.push(queue, `${queue}.dead-letter`);
    return queue;
  };

  beforeAll(async () => {
    connection = await amqplib.connect(AMQP_URL);
    channel = await connection.createChannel();
  });
  afterAll(async () => {
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => {});
    await connection.close();
  });

  it.each(['direct', 'queue'])(
    'a kombu client (%s reply-to) calls our service and gets the reply and error',
    async (mode) => {
      const queue = name(`serve-${mode}`);
      const app = new Microservice({ connection: AMQP_URL });
      app.queue(queue, (payload) => {
        const { a, b } = payload as { a: number; b: number };
        if (b < 0) throw Object.assign(new Error('b must be positive'), { code: 'E_RANGE' });
        return { sum: a + b };
      });
      await app.start();
      try {
        const ok = JSON.parse(await runPeer(['call', AMQP_URL, queue, '{"a": 2, "b": 40}', mode]));
        expect(ok).toMatchObject({ body: { sum: 42 }, matched: true });
        expect(ok.headers?.['x-ms-error']).toBeUndefined();
        const failed = JSON.parse(await runPeer(['call', AMQP_URL, queue, '{"a": 2, "b": -1}', mode]));
        expect(failed).toMatchObject({
          body: { code: 'E_RANGE', message: 'b must be positive' },
          headers: { 'x-ms-error': true },
          matched: true,
        });
      } finally {
        await app.stop();
      }
    },
  );

  it('our call() calls a kombu responder, for its value and its error reply', async () => {
    const queue = name('py-serve');
    await channel.assertQueue(queue, { durable: true });
    let ready!: () => void;
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const serving = runPeer(['serve', AMQP_URL, queue, '3'], (line) => {
      if (line === 'ready') ready();
    });
    await started;
    const client = new Client({ connection: AMQP_URL });
    try {
      expect(await client.queue(queue).call({ a: 1, b: 2 }, { timeoutMs: 10_000 })).toBe(3);
      const results = await Promise.all([
        client.queue(queue).call({ a: 10, b: 5 }, { timeoutMs: 10_000 }),
        client
          .queue(queue)
          .call({ fail: 'python says no' }, { timeoutMs: 10_000 })
          .catch((error: unknown) => error),
      ]);
      expect(results[0]).toBe(15);
      expect(results[1]).toBeInstanceOf(RemoteError);
      expect(results[1]).toMatchObject({ code: 'PY_FAILED', message: 'python says no' });
      expect(JSON.parse((await serving).trim().split('\n').pop() as string)).toEqual({ answered: 3 });
      expect(client.stats.lateReplies).toBe(0);
    } finally {
      await client.close();
    }
  });
});
