/**
 * RELIABILITY.md A4, A5 and E2–E4 for the queue service on RabbitMQ. The "worker pool" of the E cases is this
 * toolkit's `workers: N` queue service; its crash case with child processes is E1 in
 * amqp-consumer-kill.fault.test.ts. These inject no broker fault, so they use the shared node with
 * per-run queue names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, type HandlerContext, Microservice } from '../../src/queues/index.js';
import { AmqpTransport } from '../../src/queues/transports/amqp/index.js';
import type { Delivery } from '../../src/queues/transports/transport.js';
import { rabbitmq } from '../helpers/services.js';
import { faultQueue } from './helpers/amqp-fixture.js';
import { messageIds, until } from './helpers/ledger.js';
import { RecordingTransport } from './helpers/recording-transport.js';

const check = await rabbitmq();
const URL_ = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const NO_JITTER_BACKOFF = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 };

describe.skipIf(check.skip)('AMQP queue service under failing handlers (shared RabbitMQ, per-run queues)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const queues: string[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    const client = new Client(URL_);
    for (const queue of queues.splice(0)) {
      await client.deleteQueue(queue).catch(() => undefined);
      await client.deleteQueue(`${queue}.dead-letter`).catch(() => undefined);
    }
    await client.close();
  });
  const newQueue = (what: string): string => {
    const queue = faultQueue(what);
    queues.push(queue);
    return queue;
  };
  const newClient = (): Client => {
    const client = new Client(URL_);
    cleanups.push(() => client.close());
    return client;
  };
  const newService = (options: ConstructorParameters<typeof Microservice>[0]): Microservice => {
    const app = new Microservice(options);
    cleanups.push(() => app.stop());
    return app;
  };
  /** Reads the dead-letter queue with a plain transport. */
  const readDeadLetters = async (queue: string, expected: number): Promise<Delivery[]> => {
    const transport = new AmqpTransport(new URL(URL_));
    cleanups.push(() => transport.close());
    const letters: Delivery[] = [];
    await transport.consume(`${queue}.dead-letter`, (delivery) => letters.push(delivery), { prefetch: 100 });
    await until(`${expected} dead letters`, () => letters.length >= expected, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return letters;
  };

  it('A4: 5 poison messages among 500 are tried exactly 4 times with backoff, then dead-lettered once each with attempt and error headers; the other 495 once', async () => {
    const queue = newQueue('a4');
    const poison = new Set(messageIds('a4-poison', 5));
    const attempts = new Map<string, number[]>();
    const app = newService({
      connection: URL_,
      retry: { maxRetries: 3, backoff: NO_JITTER_BACKOFF },
      prefetchCount: 50,
    });
    app.queue(queue, (payload: unknown) => {
      const id = String((payload as { id: string }).id);
      attempts.set(id, [...(attempts.get(id) ?? []), Date.now()]);
      if (poison.has(id)) throw new Error(`poison ${id}`);
    });
    await app.ready();
    const client = newClient();
    const ids = [...messageIds('a4-ok', 495), ...poison];
    await Promise.all(ids.map((id) => client.queue(queue).publish({ id }, { messageId: id })));
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    void app.run();
    const letters = await readDeadLetters(queue, 5);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (Date.now() - started);
    console.info(
      `A4: ${letters.length} dead letters; consumer CPU ${(cpuShare * 100).toFixed(0)}% over ${Date.now() - started} ms`,
    );
    for (const id of poison) {
      const times = attempts.get(id) ?? [];
      expect(times).toHaveLength(4);
      // Backoff 100, 200, 400 ms (no jitter); a few ms of timer slack.
      times.slice(1).forEach((time, index) => {
        expect(time - (times[index] as number)).toBeGreaterThanOrEqual(100 * 2 ** index - 5);
      });
    }
    expect(letters.map((letter) => letter.properties.messageId).sort()).toEqual([...poison].sort());
    for (const letter of letters) {
      expect(letter.properties.headers).toMatchObject({ 'x-attempts': 4, 'x-reason': 'handler-error' });
      expect(String(letter.properties.headers?.['x-error'])).toContain('poison');
    }
    for (const id of ids.filter((id) => !poison.has(id))) expect(attempts.get(id)).toHaveLength(1);
    expect(cpuShare).toBeLessThan(0.5);
  });

  it('A5: with prefetch 1, 3 undecodable messages among 1000 go straight to the dead-letter queue and the rest flow', async () => {
    const queue = newQueue('a5');
    const handled = new Set<string>();
    const app = newService({ connection: URL_, prefetchCount: 1 });
    app.queue(queue, (payload: unknown) => {
      handled.add(String((payload as { id: string }).id));
    });
    await app.ready();
    const client = newClient();
    const raw = new AmqpTransport(new URL(URL_));
    cleanups.push(() => raw.close());
    await raw.connect();
    const target = { exchange: '', routingKey: queue };
    const bad = [
      {
        body: Buffer.from('{"id": "a5-bad-json"'),
        properties: { contentType: 'application/json', messageId: 'bad-json' },
      },
      {
        body: Buffer.from('\x80\x04K.'),
        properties: { contentType: 'application/x-python-serialize', messageId: 'bad-pickle' },
      },
      { body: Buffer.from('???'), properties: { contentType: 'application/x-unknown', messageId: 'bad-type' } },
    ];
    const ids = messageIds('a5', 1000);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      await client.queue(queue).publish({ id }, { messageId: id });
      const malformed = bad[[100, 500, 900].indexOf(i)];
      if (malformed) await raw.publish(target, malformed);
    }
    void app.run();
    const letters = await readDeadLetters(queue, 3);
    await until('1000 valid messages handled', () => handled.size === 1000, 60_000);
    expect(letters.map((letter) => letter.properties.messageId).sort()).toEqual(['bad-json', 'bad-pickle', 'bad-type']);
    for (const letter of letters) {
      expect(letter.properties.headers).toMatchObject({ 'x-reason': 'undecodable', 'x-attempts': 1 });
    }
    await app.stop();
    // Nothing left behind: no leaked prefetch slot, nothing requeued.
    expect(await raw.purgeQueue(queue)).toBe(0);
  });

  it('E2 (per-queue timeoutMs): a handler running past it has its signal aborted and is retried, then dead-lettered as a timeout', async () => {
    const queue = newQueue('e2');
    const aborts: Array<{ id: string; afterMs: number }> = [];
    const app = newService({ connection: URL_, workers: 2, retry: { maxRetries: 1, backoff: NO_JITTER_BACKOFF } });
    app.queue(
      queue,
      async (payload: unknown, context: HandlerContext) => {
        const id = String((payload as { id: string }).id);
        if (!id.startsWith('e2-slow')) return;
        const started = Date.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            aborts.push({ id, afterMs: Date.now() - started });
            resolve();
          });
        });
      },
      { timeoutMs: 300 },
    );
    await app.ready();
    const client = newClient();
    const slow = messageIds('e2-slow', 3);
    for (const id of [...slow, ...messageIds('e2-fast', 10)])
      await client.queue(queue).publish({ id }, { messageId: id });
    void app.run();
    const letters = await readDeadLetters(queue, 3);
    console.info(`E2: aborts after ${aborts.map((a) => a.afterMs).join(', ')} ms`);
    expect(aborts).toHaveLength(6);
    for (const abort of aborts) expect(abort.afterMs).toBeLessThan(300 + 2000);
    expect(letters.map((letter) => letter.properties.messageId).sort()).toEqual([...slow].sort());
    for (const letter of letters)
      expect(letter.properties.headers).toMatchObject({ 'x-reason': 'timeout', 'x-attempts': 2 });
  });

  it('E3 (queue-backed pool): of 300 messages, 290 are acked once and only after their handler finished; 10 failing ones are retried up to maxRetries, then dead-lettered', async () => {
    const queue = newQueue('e3');
    const recording = new RecordingTransport(new AmqpTransport(new URL(URL_)));
    cleanups.push(() => recording.close());
    const failing = new Set(messageIds('e3-fail', 10));
    const finished = new Map<string, number>();
    const attempts = new Map<string, number>();
    const app = newService({ connection: recording, workers: 5, retry: { maxRetries: 2, backoff: NO_JITTER_BACKOFF } });
    app.queue(queue, async (payload: unknown) => {
      const id = String((payload as { id: string }).id);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing.has(id)) throw new Error('task failed');
      finished.set(id, Date.now());
    });
    await app.ready();
    const client = newClient();
    const ok = messageIds('e3-ok', 290);
    await Promise.all([...ok, ...failing].map((id) => client.queue(queue).publish({ id }, { messageId: id })));
    void app.run();
    const letters = await readDeadLetters(queue, 10);
    await until('290 acks', () => recording.settlements.filter((s) => s.kind === 'ack').length >= 290, 30_000);
    const acks = recording.settlements.filter((s) => s.kind === 'ack');
    expect(acks).toHaveLength(290);
    expect(new Set(acks.map((s) => s.id))).toEqual(new Set(ok));
    const earlyAcks = acks.filter((ack) => !(finished.has(ack.id) && (finished.get(ack.id) as number) <= ack.at));
    expect(earlyAcks).toEqual([]);
    for (const id of failing) expect(attempts.get(id)).toBe(3);
    expect(letters.map((letter) => letter.properties.messageId).sort()).toEqual([...failing].sort());
  });

  it('E4 (workers: 2): deliveries outstanding never exceed the prefetch, and stop() lets the running handlers finish and ack', async () => {
    const queue = newQueue('e4');
    const recording = new RecordingTransport(new AmqpTransport(new URL(URL_)));
    cleanups.push(() => recording.close());
    let running = 0;
    let maxRunning = 0;
    const done: string[] = [];
    const app = newService({ connection: recording, workers: 2 });
    app.queue(queue, async (payload: unknown) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running -= 1;
      done.push(String((payload as { id: string }).id));
    });
    await app.ready();
    const client = newClient();
    const ids = messageIds('e4', 1000);
    await Promise.all(ids.map((id) => client.queue(queue).publish({ id }, { messageId: id })));
    void app.run();
    await until('some handled', () => done.length >= 40, 30_000);
    await until('two handlers running', () => running === 2, 5000);
    await app.stop();
    const acked = new Set(recording.settlements.filter((s) => s.kind === 'ack').map((s) => s.id));
    console.info(
      `E4: max running ${maxRunning}, max outstanding deliveries ${recording.maxOutstanding}, handled ${done.length}`,
    );
    expect(maxRunning).toBe(2);
    expect(recording.maxOutstanding).toBeLessThanOrEqual(2);
    expect(running).toBe(0);
    // Every handler that ran finished and was acked; what was not started is still in the queue.
    expect(new Set(done)).toEqual(acked);
    const raw = new AmqpTransport(new URL(URL_));
    cleanups.push(() => raw.close());
    expect(await raw.purgeQueue(queue)).toBe(1000 - done.length);
  });
});
