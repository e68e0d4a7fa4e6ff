/**
 * The seed's own queue tests (SEED-BEHAVIOUR §7.1 `test_service` and `test_workers`), ported: on memory://
 * always, and on RabbitMQ when it is up. Queue and exchange names get a per-run prefix so that runs on the
 * shared broker do not meet.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Client, type HandlerContext, Microservice } from '../../src/queues/index.js';
import { waitFor } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';

const rabbit = await rabbitmq();
const prefix = `seed-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const created = new Set<string>();
/** The seed's queue or exchange name, prefixed for this run. */
function n(name: string): string {
  created.add(`${prefix}.${name}`);
  return `${prefix}.${name}`;
}

async function removeCreated(url: string): Promise<void> {
  const client = new Client(url);
  for (const name of created) {
    await client.deleteQueue(name).catch(() => {});
    await client.deleteQueue(`${name}.dead-letter`).catch(() => {});
    await client.deleteExchange(name).catch(() => {});
  }
  await client.close();
}
const targets = [
  { label: 'memory://', url: () => `memory://seed-${process.pid}-${Math.random().toString(36).slice(2)}`, skip: false },
  { label: 'amqp://', url: () => 'amqp://guest:guest@127.0.0.1:5672/', skip: rabbit.skip },
];

describe.each(targets)('seed on $label', ({ url, skip }) => {
  afterAll(async () => {
    if (!skip) await removeCreated(url());
  });
  describe.skipIf(skip)('test_service', () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
      await removeCreated(url());
    });

    it('consumes from queues and exchanges with read(), manages them, then runs until stop()', async () => {
      const connection = url();
      const app = new Microservice({ connection, retry: { maxRetries: 0 } });
      const client = new Client({ connection });
      cleanups.push(
        () => app.stop(),
        () => client.close(),
      );
      const seen = new Map<string, unknown>();
      for (const name of [n('test'), n('one_q'), n('two_q')]) {
        const handler = (payload: unknown): void => {
          seen.set(name, payload);
        };
        expect(app.queue(name, handler)).toBe(handler);
      }
      await app.ready();
      await client.queue(n('test')).publish('data');
      await client.declareExchange(n('input'), {
        queues: [
          [n('one_q'), 'one'],
          [n('two_q'), 'two'],
        ],
      });
      await client.exchange(n('input'), 'one').publish('data');
      await client.exchange(n('input')).publish('data', 'two');
      for (let tries = 0; tries < 60 && seen.size < 3; tries += 1) await app.read(1, 20);
      expect(Object.fromEntries(seen)).toEqual({ [n('test')]: 'data', [n('one_q')]: 'data', [n('two_q')]: 'data' });

      await client.queue(n('test')).publish('left over');
      await client.deleteQueue(n('one_q'));
      await client.deleteExchange(n('input'));
      expect(client.exchanges.has(n('input'))).toBe(false);
      await expect(client.exchange(n('input'), 'one').publish('data')).rejects.toMatchObject({
        code: 'MS_QUEUE_UNKNOWN_EXCHANGE',
      });
      await client.purgeQueue(n('test'));

      let ackedInHandler = false;
      let raised = false;
      app.queue(n('autoack_with_manual_ack'), async (_payload, context) => {
        ackedInHandler = await context.message.ack();
      });
      app.queue(n('raises'), () => {
        raised = true;
        throw new Error('RuntimeError from the seed test');
      });
      await app.ready();
      const running = app.run({ debug: true });
      await client.queue(n('autoack_with_manual_ack')).publish('data');
      await client.queue(n('raises')).publish('data');
      await waitFor('both handlers', () => ackedInHandler && raised, 2000);
      await app.stop();
      await expect(running).resolves.toBeUndefined();
      expect(app.stopped).toBe(true);
      // The failed message was dead-lettered (maxRetries 0), not left unacked as in the seed (B15).
      expect(await client.purgeQueue(n('raises.dead-letter'))).toBe(1);
    });

    it('names itself after the connection with the password masked', () => {
      const app = new Microservice({ connection: 'amqp://guest:secret@127.0.0.1:1/', immediateConnect: false });
      expect(app.name).toBe('<microservice: amqp://guest:**@127.0.0.1:1/>');
      expect(String(app)).toBe(app.name);
      const client = new Client('amqp://guest:secret@127.0.0.1:1/');
      expect(client.name).toBe('<client: amqp://guest:**@127.0.0.1:1/>');
    });
  });

  describe.skipIf(skip)('test_workers', () => {
    it('workers: 5 handles every message of an autoack and a manual-ack queue and acks them all', async () => {
      const connection = url();
      const app = new Microservice({ connection, workers: 5 });
      const client = new Client({ connection });
      const contexts: HandlerContext[] = [];
      app.queue(n('workers_autoack'), async (_payload, context) => {
        contexts.push(context);
        await new Promise((resolve) => setTimeout(resolve, 5));
      });
      app.queue(
        n('workers_noack'),
        async (_payload, context) => {
          contexts.push(context);
          await context.message.ack();
        },
        { autoack: false },
      );
      await app.ready();
      for (let i = 0; i < 7; i += 1) {
        await client.queue(n('workers_autoack')).publish(i);
        await client.queue(n('workers_noack')).publish(i);
      }
      const running = app.run();
      await waitFor('14 handler calls', () => contexts.length === 14, 5000);
      await app.stop();
      await running;
      expect(contexts.map((context) => context.message.acknowledged)).toEqual(Array(14).fill(true));
      expect(await client.purgeQueue(n('workers_autoack'))).toBe(0);
      expect(await client.purgeQueue(n('workers_noack'))).toBe(0);
      await client.close();
      await removeCreated(connection);
    });
  });
});
