/**
 * RELIABILITY C1 on a dedicated nats-server: 5000 publishes, each awaiting its PubAck and carrying a
 * `Nats-Msg-Id`; the server is `kill -9`ed when half have settled and restarted. The producer republishes
 * every id that was not acknowledged, with the same id. Pass: the stream holds exactly 5000 messages
 * (the duplicate window dropped the re-sent copies the server already had) and every acknowledged id is
 * consumed once. Power loss is out of scope: 2.9 has no `sync_interval`, and a process kill keeps the
 * page cache (docs/transports/nats.md).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport } from '../../src/queues/transports/nats/index.js';
import { queueStreamName } from '../../src/queues/transports/nats/names.js';
import type { Transport, TransportOptions } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { consumeIntoLedger, Ledger, messageIds, publishWindowed, until } from './helpers/ledger.js';
import { DedicatedNats, NATS_SERVER_PATH } from './helpers/nats-server.js';

const check = binary('nats-server', NATS_SERVER_PATH);
const options: TransportOptions = { reconnect: { initialDelayMs: 100, maxDelayMs: 500 }, publishTimeoutMs: 2000 };
const COUNT = 5000;

describe.skipIf(check.skip)('C1 nats: PubAck and dedup across kill -9', () => {
  let server: DedicatedNats;
  let producer: Transport;
  let consumer: Transport;

  beforeAll(async () => {
    server = await DedicatedNats.start();
    producer = await createNatsTransport(new URL(server.url()), options);
    consumer = await createNatsTransport(new URL(server.url()), options);
    await producer.connect();
    await consumer.connect();
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await server?.cleanup();
  });

  it('stores every id exactly once and loses no acknowledged publish', async () => {
    const queue = 'c1-jobs';
    await producer.declareQueue(queue);
    const ledger = new Ledger();
    let retries = 0;
    let fault: Promise<void> | undefined;
    const publishUntilAcked = async (id: string): Promise<void> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await producer.publish(
            { exchange: '', routingKey: queue },
            { body: Buffer.from(id), properties: { messageId: id } },
          );
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          retries += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    await publishWindowed(ledger, messageIds('c1', COUNT), 32, publishUntilAcked, (settled) => {
      if (settled === COUNT / 2) {
        fault = (async () => {
          await server.kill();
          await new Promise((resolve) => setTimeout(resolve, 300));
          await server.start();
        })();
      }
    });
    await fault;
    const publishVerdict = ledger.verdict();
    expect(publishVerdict.confirmed).toBe(COUNT);
    expect(retries).toBeGreaterThan(0);

    const admin = await connect({ servers: `127.0.0.1:${server.port}` });
    try {
      const info = await (await jetstreamManager(admin)).streams.info(queueStreamName(queue));
      expect(info.state.messages).toBe(COUNT);
    } finally {
      await admin.close();
    }

    await consumeIntoLedger(consumer, queue, ledger, { prefetch: 200 });
    await until('every acknowledged id consumed', () => ledger.complete, 60_000);
    const verdict = ledger.verdict();
    console.info(`${ledger.summary('C1 nats')}, publish retries ${retries}`);
    expect(verdict.lost).toEqual([]);
    expect(verdict.duplicates).toBe(0);
  });
});
