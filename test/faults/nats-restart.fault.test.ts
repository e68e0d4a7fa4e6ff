/**
 * RELIABILITY C4 on a dedicated nats-server: a pull consumer is working through 1000 messages when the
 * server is stopped with SIGTERM and started again. Pass: consumption resumes within 5 s of the restart by
 * itself, every stream sequence 1..1000 is delivered (no gap), and redeliveries stay within the messages
 * that were in flight (the prefetch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport } from '../../src/queues/transports/nats/index.js';
import type { Transport, TransportOptions } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { until } from './helpers/ledger.js';
import { DedicatedNats, NATS_SERVER_PATH } from './helpers/nats-server.js';

const check = binary('nats-server', NATS_SERVER_PATH);
const options: TransportOptions = { reconnect: { initialDelayMs: 100, maxDelayMs: 500 }, publishTimeoutMs: 2000 };
const COUNT = 1000;
const PREFETCH = 20;

describe.skipIf(check.skip)('C4 nats: durable consumer resumes after a server restart', () => {
  let server: DedicatedNats;
  let transport: Transport;

  beforeAll(async () => {
    server = await DedicatedNats.start();
    // Acks sent while the server is down are lost; a short AckWait brings those messages back in seconds.
    transport = await createNatsTransport(new URL(server.url('ackWaitMs=3000')), options);
    await transport.connect();
  });

  afterAll(async () => {
    await transport?.close();
    await server?.cleanup();
  });

  it('resumes within 5 s with no gap in stream sequences', async () => {
    const queue = 'c4-jobs';
    await transport.declareQueue(queue);
    for (let i = 0; i < COUNT; i += 1) {
      await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from(String(i)), properties: {} });
    }
    const sequences: number[] = [];
    let lastAt = 0;
    await transport.consume(
      queue,
      (delivery) => {
        sequences.push(Number(delivery.deliveryInfo.deliveryTag));
        lastAt = Date.now();
        // A little work per message, so the restart lands mid-stream.
        setTimeout(() => void delivery.ack(), 5);
      },
      { prefetch: PREFETCH },
    );
    await until('a third of the messages', () => sequences.length >= COUNT / 3, 30_000);
    await server.stop();
    const before = sequences.length;
    await server.start();
    const restartedAt = Date.now();
    await until('the first delivery after the restart', () => sequences.length > before, 30_000);
    const resumeMs = lastAt - restartedAt;
    await until('every sequence', () => new Set(sequences).size >= COUNT, 60_000);
    const distinct = new Set(sequences);
    const duplicates = sequences.length - distinct.size;
    console.info(
      `C4 nats: resumed ${resumeMs} ms after restart, ${sequences.length} deliveries, ${duplicates} redelivered`,
    );
    expect(resumeMs).toBeLessThan(5000);
    expect([...distinct].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(duplicates).toBeLessThanOrEqual(PREFETCH);
  });
});
