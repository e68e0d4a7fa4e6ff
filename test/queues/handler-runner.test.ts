/** The handler runner's crash-loop guard: a message whose consumers keep dying is dead-lettered, not run again. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logging.js';
import type { QueueRule } from '../../src/queues/context.js';
import { HandlerRunner } from '../../src/queues/handler-runner.js';
import { DEAD_LETTER_HEADERS, resolveRetry } from '../../src/queues/retry.js';
import type { Delivery, NackOptions } from '../../src/queues/transports/transport.js';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function fakeDelivery(deliveryCount: number): Delivery & { nacks: NackOptions[]; acks: number } {
  const delivery = {
    body: Buffer.from('{"n":1}'),
    properties: { contentType: 'application/json' },
    deliveryInfo: { exchange: '', routingKey: 'q', consumerTag: 't', deliveryTag: 1, redelivered: deliveryCount > 1 },
    deliveryCount,
    settled: false,
    nacks: [] as NackOptions[],
    acks: 0,
    async ack() {
      delivery.acks += 1;
      delivery.settled = true;
      return true;
    },
    async nack(options: NackOptions) {
      delivery.nacks.push(options);
      delivery.settled = true;
      return true;
    },
  };
  return delivery;
}

function runnerCounting(calls: unknown[], maxRetries: number): HandlerRunner {
  const rule: QueueRule = {
    name: 'q',
    handler: (payload) => {
      calls.push(payload);
    },
    autoack: true,
    options: {},
    logger: quiet,
    toString: () => '<queue: q>',
  };
  return new HandlerRunner(rule, {
    concurrency: 1,
    timeoutMs: undefined,
    raw: false,
    retry: resolveRetry({ maxRetries }),
  });
}

describe('crash-loop guard', () => {
  it('dead-letters, without running the handler, a message delivered more than maxRetries + 1 times', async () => {
    const calls: unknown[] = [];
    const delivery = fakeDelivery(5);
    runnerCounting(calls, 3).onDelivery(delivery);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([]);
    expect(delivery.acks).toBe(0);
    expect(delivery.nacks).toHaveLength(1);
    expect(delivery.nacks[0]?.requeue).toBe(false);
    expect(delivery.nacks[0]?.headers?.[DEAD_LETTER_HEADERS.reason]).toBe('delivery-limit');
    expect(delivery.nacks[0]?.headers?.[DEAD_LETTER_HEADERS.attempts]).toBe(5);
  });

  it('still runs a message on its last allowed delivery (maxRetries + 1)', async () => {
    const calls: unknown[] = [];
    const delivery = fakeDelivery(4);
    runnerCounting(calls, 3).onDelivery(delivery);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([{ n: 1 }]);
    expect(delivery.acks).toBe(1);
    expect(delivery.nacks).toEqual([]);
  });
});
