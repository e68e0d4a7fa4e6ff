/**
 * Request/reply on MQTT 5: each client transport subscribes its control connection (QoS 1) to one response
 * topic `ms/reply/<uuid>`; requests carry it as the MQTT 5 response topic and their correlation id as the
 * correlation data (as well as in the JSON properties), so other MQTT 5 clients can answer them. MQTT.js
 * subscribes again after a reconnect. A reply to a caller that is gone reaches nobody.
 */
import { randomUUID } from 'node:crypto';
import type { IPublishPacket } from 'mqtt';
import type { OutgoingMessage, ReplyHandler, ReplyInbox } from '../transport.js';
import { decodeMqttProperties, encodeMqttProperties } from './codec.js';
import type { MqttControl } from './control.js';

/**
 * Subscribes `onReply` to a fresh response topic.
 * @example const inbox = await openMqttInbox(control, onReply);
 */
export async function openMqttInbox(control: MqttControl, onReply: ReplyHandler): Promise<ReplyInbox> {
  const address = `ms/reply/${randomUUID()}`;
  const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    if (topic !== address) return;
    onReply({ body: payload, properties: decodeMqttProperties(packet.properties).properties });
  };
  control.client.on('message', onMessage);
  try {
    await control.client.subscribeAsync(address, { qos: 1 });
  } catch (error) {
    control.client.off('message', onMessage);
    throw error;
  }
  return {
    address,
    close: async () => {
      control.client.off('message', onMessage);
      await control.client.unsubscribeAsync(address).catch(() => undefined);
    },
  };
}

/**
 * Publishes a reply at QoS 1 to its response topic.
 * @example await sendMqttReply(control, 'ms/reply/…', message);
 */
export function sendMqttReply(control: MqttControl, address: string, message: OutgoingMessage): Promise<void> {
  return control.publish(address, message.body, { properties: encodeMqttProperties(message.properties, {}) }, false);
}
