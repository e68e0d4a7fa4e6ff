/**
 * Raw mqtt.js doing the queue workload at QoS 1: `publishAsync` awaited until its PUBACK; a second client
 * subscribed at QoS 1 (mqtt.js sends each PUBACK once the message is handled), decoding every message.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { QueueBenchImplementation } from '../workload.js';

export const MQTT_URL = 'mqtt://127.0.0.1:1883';

/**
 * @example const impl = createRawMqtt('mqtt://127.0.0.1:1883'); await impl.setup('q', 100);
 */
export function createRawMqtt(url = MQTT_URL): QueueBenchImplementation {
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
        properties: { receiveMaximum: prefetch },
      });
    },
    async publish(message) {
      await opened().publisher.publishAsync(topic, JSON.stringify(message), { qos: 1 });
    },
    async consume(onMessage) {
      const { subscriber: client } = opened();
      client.on('message', (_topic, payload) => onMessage(JSON.parse(payload.toString('utf8'))));
      await client.subscribeAsync(topic, { qos: 1 });
    },
    async close() {
      await Promise.all([opened().publisher.endAsync(), opened().subscriber.endAsync()]);
    },
  };
}
