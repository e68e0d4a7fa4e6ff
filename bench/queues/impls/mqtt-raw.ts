/**
 * Raw mqtt.js doing the queue workload at QoS 1: `publishAsync` awaited until its PUBACK; a second client
 * subscribed at QoS 1 (mqtt.js sends each PUBACK once the message is handled), decoding every message.
 * `createRawMqtt(url, { properties: true })` (the report's "raw mqtt.js carrying the toolkit's properties" row;
 * `BENCH_MQTT_RAW_PROPERTIES=1` does the same to the plain raw row for bench/queues/ab.ts) adds what the
 * toolkit's MQTT messages carry beyond the payload, to measure what carrying it costs in mqtt.js alone: the
 * native content type and one `ms-properties` user property holding the JSON properties with a fresh UUID
 * message id and a publisher sequence, which the consumer parses. `BENCH_MQTT_RAW_DURABLE=1` (the same, for ab.ts only) makes the
 * subscriber what the toolkit's consumer is: a persistent session (`clean: false`, a session expiry) on a
 * shared subscription (`$share/bench/...`), to measure what that guarantee costs on its own.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { QueueBenchImplementation } from '../workload.js';

export const MQTT_URL = 'mqtt://127.0.0.1:1883';

const PROPERTIES_BY_DEFAULT = process.env.BENCH_MQTT_RAW_PROPERTIES === '1';
const DURABLE = process.env.BENCH_MQTT_RAW_DURABLE === '1';
let sequence = 0;

function publishOptions(withProperties: boolean): IClientPublishOptions {
  if (!withProperties) return { qos: 1 };
  const properties = {
    persistent: true,
    messageId: randomUUID(),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    'ms-envelope': { publisher: 'bench-publisher', sequence: ++sequence },
  };
  return {
    qos: 1,
    properties: { contentType: 'application/json', userProperties: { 'ms-properties': JSON.stringify(properties) } },
  };
}

function readProperties(packet: { properties?: { userProperties?: Record<string, unknown> } }): void {
  const json = packet.properties?.userProperties?.['ms-properties'];
  if (typeof json !== 'string' || typeof JSON.parse(json).messageId !== 'string') throw new Error('no properties');
}

/**
 * @example const impl = createRawMqtt('mqtt://127.0.0.1:1883'); await impl.setup('q', 100);
 */
export function createRawMqtt(
  url = MQTT_URL,
  options: { readonly properties?: boolean } = {},
): QueueBenchImplementation {
  const withProperties = options.properties ?? PROPERTIES_BY_DEFAULT;
  let publisher: MqttClient | undefined;
  let subscriber: MqttClient | undefined;
  let topic = '';

  const opened = (): { publisher: MqttClient; subscriber: MqttClient } => {
    if (!publisher || !subscriber) throw new Error('setup() first');
    return { publisher, subscriber };
  };

  return {
    async setup(queue, prefetch) {
      topic = `bench/${queue}`;
      publisher = await mqtt.connectAsync(url, { protocolVersion: 5 });
      subscriber = await mqtt.connectAsync(url, {
        protocolVersion: 5,
        ...(DURABLE ? { clean: false, clientId: `bench-${randomUUID()}` } : {}),
        properties: { receiveMaximum: prefetch, ...(DURABLE ? { sessionExpiryInterval: 60 } : {}) },
      });
    },
    async publish(message) {
      await opened().publisher.publishAsync(topic, JSON.stringify(message), publishOptions(withProperties));
    },
    async consume(onMessage) {
      const { subscriber: client } = opened();
      client.on('message', (_topic, payload, packet) => {
        if (withProperties) readProperties(packet);
        onMessage(JSON.parse(payload.toString('utf8')));
      });
      await client.subscribeAsync(DURABLE ? `$share/bench/${topic}` : topic, { qos: 1 });
    },
    async close() {
      await Promise.all([opened().publisher.endAsync(), opened().subscriber.endAsync()]);
    },
  };
}
