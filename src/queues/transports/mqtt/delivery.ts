/**
 * Wraps one MQTT message as a `Delivery`. MQTT has no nack and no delivery counter, so both are emulated:
 * - requeue publishes a copy to the queue's own topic carrying the next delivery count, then acknowledges
 *   the original (the copy goes to the back of the queue, not the front);
 * - dead-lettering publishes a copy to the dead-letter queue, then acknowledges the original;
 * - the count is the copy's `ms-delivery-count`, plus one when the broker itself resent it (DUP flag).
 * The original is acknowledged only after the copy is confirmed, so a crash in between duplicates, never loses.
 */
import type { Logger } from '../../../logging.js';
import type { Delivery, DeliveryInfo, MessageProperties, NackOptions } from '../transport.js';
import { decodeMqttProperties, type MqttEnvelope } from './codec.js';
import { routingKeyOf } from './names.js';
import type { IncomingMessage } from './session.js';

export interface MqttDeliveryHooks {
  readonly logger: Logger;
  /** Sends the PUBACK; false when the connection it came on is gone. */
  acknowledge(message: IncomingMessage): boolean;
  /** True while the connection the message came on is still up. */
  isCurrent(message: IncomingMessage): boolean;
  /** Publishes a copy to a queue's topic and resolves once the broker confirmed it. */
  republish(queue: string, body: Buffer, properties: MessageProperties, envelope: MqttEnvelope): Promise<void>;
  /** The queue that `nack({requeue: false})` sends to, or undefined/false to drop. */
  deadLetterQueue(): Promise<string | false | undefined>;
  settled(): void;
}

function exchangeOf(topic: string): string {
  const level = topic.split('/')[2] ?? '';
  return level === '%' ? '' : decodeURIComponent(level);
}

/**
 * Builds the delivery for an incoming message on `queue`.
 * @example handler(mqttDelivery('basic', message, 'consumer-1', hooks));
 */
export function mqttDelivery(
  queue: string,
  message: IncomingMessage,
  consumerTag: string,
  hooks: MqttDeliveryHooks,
): Delivery {
  const { packet } = message;
  const { properties, envelope } = decodeMqttProperties(packet.properties);
  const deliveryCount = (envelope.deliveryCount ?? 1) + (packet.dup ? 1 : 0);
  const viaExchange = packet.topic.startsWith('ms/x/');
  const exchange = envelope.exchange ?? (viaExchange ? exchangeOf(packet.topic) : '');
  const routingKey = envelope.routingKey ?? (viaExchange ? routingKeyOf(packet.topic) : queue);
  const deliveryInfo: DeliveryInfo = {
    exchange,
    routingKey,
    consumerTag,
    deliveryTag: packet.messageId ?? 0,
    redelivered: deliveryCount > 1,
  };
  const body = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  let settled = false;

  const settleOnce = (): boolean => {
    if (settled) return false;
    settled = true;
    return true;
  };

  const copyThenAck = async (
    target: string,
    copyProperties: MessageProperties,
    copy: MqttEnvelope,
  ): Promise<boolean> => {
    try {
      await hooks.republish(target, body, copyProperties, copy);
    } catch (error) {
      // Without the copy the original must stay: it comes back when this session reconnects.
      hooks.logger.warn(`copy of message ${packet.messageId} to "${target}" failed: ${error}`);
      return false;
    }
    return hooks.acknowledge(message);
  };

  return {
    body,
    properties,
    deliveryInfo,
    deliveryCount,
    get settled() {
      return settled;
    },
    async ack() {
      if (!settleOnce()) return false;
      const done = hooks.acknowledge(message);
      hooks.settled();
      return done;
    },
    async nack(options: NackOptions) {
      if (!settleOnce()) return false;
      // Only after the copy and the PUBACK: a cancelled consumer closes its connection on the last settlement.
      const settling = nack(options).finally(() => hooks.settled());
      if (options.requeue && options.delayMs) {
        // The original stays unacknowledged (so safe) while the delay runs; the caller need not wait for it.
        void settling;
        return hooks.isCurrent(message);
      }
      return settling;
    },
  };

  async function nack(options: NackOptions): Promise<boolean> {
    if (options.requeue) {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      return copyThenAck(queue, properties, { deliveryCount: deliveryCount + 1, exchange, routingKey });
    }
    const target = await hooks.deadLetterQueue();
    if (!target) return hooks.acknowledge(message);
    const headers = { ...properties.headers, ...options.headers };
    return copyThenAck(target, { ...properties, headers }, { exchange, routingKey });
  }
}
