/**
 * RELIABILITY C2 on a dedicated nats-server: AckWait 2 s, explicit acks, handlers that take 5 s. Without
 * in-progress signals every message is delivered again while its first handler still runs; with
 * `touch()` (JetStream `working()`) every second, each is delivered exactly once. 100 messages per mode,
 * all accounted for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport } from '../../src/queues/transports/nats/index.js';
import type { Delivery, Transport } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { DedicatedNats, NATS_SERVER_PATH } from './helpers/nats-server.js';

const check = binary('nats-server', NATS_SERVER_PATH);
const COUNT = 100;
const HANDLER_MS = 5000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(check.skip)('C2 nats: AckWait redelivery and in-progress extension', () => {
  let server: DedicatedNats;
  let transport: Transport;

  beforeAll(async () => {
    server = await DedicatedNats.start();
    transport = await createNatsTransport(new URL(server.url('ackWaitMs=2000')), {});
    await transport.connect();
  });

  afterAll(async () => {
    await transport?.close();
    await server?.cleanup();
  });

  /** Publishes COUNT messages, runs `handle` on each delivery, and returns deliveries per id once quiet. */
  async function run(queue: string, handle: (delivery: Delivery) => Promise<void>): Promise<Map<string, number>> {
    await transport.declareQueue(queue);
    for (let i = 0; i < COUNT; i += 1) {
      await transport.publish(
        { exchange: '', routingKey: queue },
        { body: Buffer.from(String(i)), properties: { messageId: `${queue}-${i}` } },
      );
    }
    const deliveries = new Map<string, number>();
    let lastAt = Date.now();
    let running = 0;
    // Room for redeliveries beside the held first deliveries, so the window does not hide them.
    await transport.consume(
      queue,
      (delivery) => {
        const id = delivery.properties.messageId ?? '';
        deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
        lastAt = Date.now();
        running += 1;
        void handle(delivery).finally(() => {
          running -= 1;
        });
      },
      { prefetch: COUNT * 3 },
    );
    await until('every message delivered', () => deliveries.size === COUNT, 30_000);
    // Quiet: no handler running and nothing new for longer than AckWait.
    await until('quiescence', () => running === 0 && Date.now() - lastAt > 3000, 60_000);
    return deliveries;
  }

  it('redelivers a message whose handler outlives AckWait without touch()', async () => {
    const deliveries = await run('c2-silent', async (delivery) => {
      await sleep(HANDLER_MS);
      await delivery.ack();
    });
    const counts = [...deliveries.values()];
    console.info(
      `C2 silent: ${COUNT} ids, ${counts.reduce((a, b) => a + b, 0)} deliveries, min ${Math.min(...counts)}`,
    );
    expect(deliveries.size).toBe(COUNT);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
  });

  it('delivers exactly once when the handler calls touch() every second', async () => {
    const deliveries = await run('c2-touch', async (delivery) => {
      for (let waited = 0; waited < HANDLER_MS; waited += 1000) {
        await sleep(1000);
        await delivery.touch?.();
      }
      expect(await delivery.ack()).toBe(true);
    });
    const counts = [...deliveries.values()];
    console.info(`C2 touch: ${COUNT} ids, ${counts.reduce((a, b) => a + b, 0)} deliveries`);
    expect(deliveries.size).toBe(COUNT);
    expect(counts.every((count) => count === 1)).toBe(true);
  });
});
