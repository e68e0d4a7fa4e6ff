/**
 * The transports log errors as `err` objects with a short message (issue 13 item 5), not the error's text
 * pasted into the line: a pino logger given to the transport gets `err.message` and `err.stack` as fields. One
 * path every transport has: a delivery handler that throws synchronously.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAmqpTransport } from '../../src/queues/transports/amqp/index.js';
import { createMemoryTransport } from '../../src/queues/transports/memory/index.js';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import type { Transport, TransportOptions } from '../../src/queues/transports/transport.js';
import { rabbitmq, redis } from '../helpers/services.js';

const [amqpCheck, redisCheck] = await Promise.all([rabbitmq(), redis()]);

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly err?: { readonly message: string; readonly stack: string };
}

const cases: {
  readonly name: string;
  readonly skip: boolean;
  readonly open: (options: TransportOptions) => Promise<Transport>;
}[] = [
  {
    name: 'memory',
    skip: false,
    open: async (o) => createMemoryTransport(new URL(`memory://log-${randomBytes(3).toString('hex')}`), o),
  },
  {
    name: 'amqp',
    skip: amqpCheck.skip,
    open: async (o) =>
      createAmqpTransport(new URL(process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/'), o),
  },
  {
    name: 'redis',
    skip: redisCheck.skip,
    open: (o) =>
      createRedisTransport(new URL(`redis://127.0.0.1:6379/13?prefix=log-${randomBytes(3).toString('hex')}:`), o),
  },
];

describe('transport log lines carry the error as a field', () => {
  for (const each of cases) {
    it.skipIf(each.skip)(`${each.name}: a handler that throws is logged with err, not its text in msg`, async () => {
      const lines: Line[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Line) });
      const transport = await each.open({ logger });
      await transport.connect();
      const queue = `log-fields-${randomBytes(3).toString('hex')}`;
      try {
        await transport.declareQueue(queue, { durable: false, deadLetterQueue: false });
        await transport.consume(
          queue,
          (delivery) => {
            void delivery.ack();
            throw new Error('secret-free boom');
          },
          { prefetch: 1 },
        );
        await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('{}'), properties: {} });
        const deadline = Date.now() + 10_000;
        while (!lines.some((line) => line.err?.message === 'secret-free boom') && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const line = lines.find((entry) => entry.err?.message === 'secret-free boom');
        expect(line?.level).toBe(50);
        expect(line?.msg).not.toContain('secret-free boom');
        expect(line?.err?.stack).toContain('Error: secret-free boom');
      } finally {
        await transport.deleteQueue(queue).catch(() => undefined);
        await transport.close();
      }
    });
  }
});
