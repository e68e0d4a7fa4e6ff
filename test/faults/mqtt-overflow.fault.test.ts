/**
 * RELIABILITY D3 on dedicated Mosquitto brokers: 1500 QoS 1 messages for an offline queue session.
 * - With Mosquitto's default `max_queued_messages 1000`, the broker acknowledges every publish yet drops
 *   what does not fit. The gap detector reports exactly the missing count, with its ranges, and a
 *   warning is logged.
 * - With the configuration docs/transports/mqtt.md recommends (`max_queued_messages 0`, no limit),
 *   1500/1500 arrive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logging.js';
import { createMqttTransport, type MqttTransport } from '../../src/queues/transports/mqtt/index.js';
import type { Transport } from '../../src/queues/transports/transport.js';
import { binary } from '../helpers/services.js';
import { consumeIntoLedger, Ledger, messageIds, publishWindowed, until } from './helpers/ledger.js';
import { DedicatedMosquitto, MOSQUITTO_PATH } from './helpers/mqtt-broker.js';
import { publishId } from './helpers/mqtt-ledger.js';

const check = binary('mosquitto', MOSQUITTO_PATH);
const COUNT = 1500;
const quiet = (): void => {};

describe.skipIf(check.skip)('D3 mqtt: queue overflow detection', () => {
  const opened: Array<{ broker: DedicatedMosquitto; transports: Transport[] }> = [];

  afterEach(async () => {
    for (const { broker, transports } of opened.splice(0)) {
      for (const transport of transports) await transport.close();
      await broker.cleanup();
    }
  });

  /** Queues COUNT messages (plus a later marker) for an offline session, then drains it. */
  async function overflow(
    maxQueuedMessages: number,
  ): Promise<{ ledger: Ledger; consumer: MqttTransport; warnings: string[] }> {
    const broker = await DedicatedMosquitto.start({ maxQueuedMessages });
    const warnings: string[] = [];
    const logger: Logger = { trace: quiet, debug: quiet, info: quiet, error: quiet, warn: (m) => warnings.push(m) };
    const publisher = await createMqttTransport(new URL(broker.url()), {});
    const consumer = (await createMqttTransport(new URL(broker.url()), { logger })) as MqttTransport;
    opened.push({ broker, transports: [publisher, consumer] });
    await publisher.connect();
    await consumer.connect();
    const queue = 'd3-jobs';
    await consumer.declareQueue(queue);
    const ledger = new Ledger();
    const publish = (id: string): Promise<void> => publishId(publisher, queue, id);
    await publishWindowed(ledger, messageIds('d3', COUNT), 20, publish);
    expect(ledger.verdict().confirmed).toBe(COUNT);
    await consumeIntoLedger(consumer, queue, ledger, { prefetch: 100 });
    await publish('marker');
    await until('the marker', () => ledger.hasConsumed('marker'), 30_000);
    return { ledger, consumer, warnings };
  }

  it("detects and reports what Mosquitto's default queue limit dropped", async () => {
    const { ledger, consumer, warnings } = await overflow(1000);
    const lost = ledger.verdict().lost.length;
    const gaps = consumer.gapReport();
    console.info(`${ledger.summary('D3 mqtt default limit')}; gap detector: ${JSON.stringify(gaps)}`);
    // The offline session keeps the first 1000 and drops the rest, acknowledged all the same.
    expect(lost).toBe(COUNT - 1000);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.missing).toBe(lost);
    expect(gaps[0]?.ranges).toEqual([[1001, COUNT]]);
    expect(warnings.some((warning) => warning.includes('never arrived'))).toBe(true);
  });

  it('delivers 1500/1500 with the recommended configuration', async () => {
    const { ledger, consumer } = await overflow(0);
    console.info(ledger.summary('D3 mqtt max_queued_messages 0'));
    expect(ledger.verdict().lost).toEqual([]);
    expect(consumer.gapReport()).toEqual([]);
  });
});
