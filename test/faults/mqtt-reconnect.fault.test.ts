/**
 * RELIABILITY D1 on a dedicated Mosquitto: a queue's persistent session (fixed client id, cleanStart
 * false, session expiry, QoS 1 subscription) is offline while a publisher sends 500 QoS 1 messages through
 * a fault proxy that resets every connection twice during the run. Pass: all 500 publishes settle on a
 * PUBACK, and once the consumer connects it receives all 500 ids (at least once each, 0 lost).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttTransport } from '../../src/queues/transports/mqtt/index.js';
import type { Transport, TransportOptions } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { consumeIntoLedger, Ledger, messageIds, publishWindowed, until } from './helpers/ledger.js';
import { DedicatedMosquitto, MOSQUITTO_PATH } from './helpers/mqtt-broker.js';
import { publishId } from './helpers/mqtt-ledger.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

const check = binary('mosquitto', MOSQUITTO_PATH);
const options: TransportOptions = { reconnect: { initialDelayMs: 100 }, publishTimeoutMs: 10_000 };
const COUNT = 500;

describe.skipIf(check.skip)('D1 mqtt: QoS 1 persistent session across connection resets', () => {
  let broker: DedicatedMosquitto;
  let proxy: TcpProxy;
  let publisher: Transport;
  let consumer: Transport;

  beforeAll(async () => {
    broker = await DedicatedMosquitto.start({ maxQueuedMessages: 0 });
    proxy = new TcpProxy('127.0.0.1', broker.port);
    const proxyPort = await proxy.listen();
    publisher = await createMqttTransport(new URL(`mqtt://127.0.0.1:${proxyPort}/`), options);
    consumer = await createMqttTransport(new URL(broker.url()), options);
    await publisher.connect();
    await consumer.connect();
  });

  afterAll(async () => {
    await publisher?.close();
    await consumer?.close();
    await proxy?.close();
    await broker?.cleanup();
  });

  it('settles every publish on a PUBACK and delivers every id to the reconnecting session', async () => {
    const queue = 'd1-jobs';
    // Declaring creates the queue's session and leaves it offline.
    await consumer.declareQueue(queue);
    const ledger = new Ledger();
    let resets = 0;
    await publishWindowed(
      ledger,
      messageIds('d1', COUNT),
      20,
      (id) => publishId(publisher, queue, id),
      (settled) => {
        if (settled === 150 || settled === 300) {
          proxy.reset();
          resets += 1;
        }
      },
    );
    expect(resets).toBe(2);
    expect(ledger.verdict().confirmed).toBe(COUNT);

    await consumeIntoLedger(consumer, queue, ledger, { prefetch: 50 });
    await until('every confirmed id delivered', () => ledger.complete, 30_000);
    console.info(ledger.summary('D1 mqtt'));
    expect(ledger.verdict().lost).toEqual([]);
  });
});
