/**
 * Wraps one MQTT message as a `Delivery`. MQTT has no nack and no delivery counter, so both are emulated:
 * - requeue publishes a copy to the queue's own topic carrying the next delivery count, then acknowledges
 *   the original (the copy goes to the back of the queue, not the front);
 * - dead-lettering publishes a copy to the dead-letter queue, then acknowledges the original;
 * - the count is the copy's `ms-delivery-count`, plus one when the broker itself resent it (DUP flag).
 * The original is acknowledged only after the copy is confirmed, so a crash in between duplicates, never loses.
 */

import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { CoreDelivery, copyThenAck, deadLetterProperties } from '../core/delivery.js';
import type { Delivery, DeliveryInfo, MessageProperties } from '../transport.js';
import { type DecodedProperties, decodeMqttProperties, type MqttEnvelope } from './codec.js';
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
  /** Aborts when the transport closes: a delayed requeue still waiting is abandoned, not published. */
  readonly closing: AbortSignal;
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
  decoded: DecodedProperties = decodeMqttProperties(message.packet.properties),
): Delivery {
  const { packet } = message;
  const { properties, envelope } = decoded;
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

  const copyThenAcknowledge = (target: string, copyProperties: MessageProperties, copy: MqttEnvelope) =>
    copyThenAck(
      () => hooks.republish(target, body, copyProperties, copy),
      () => hooks.acknowledge(message),
      (error) => {
        // Without the copy the original must stay: it comes back when this session reconnects.
        logWith(hooks.logger, 'warn', { err: error }, `copy of message ${packet.messageId} to "${target}" failed`);
        return false;
      },
    );
  // Released only after the copy and the PUBACK: a cancelled consumer closes its connection on the last settlement.
  const thenSettled = (settling: Promise<boolean>): Promise<boolean> => settling.finally(() => hooks.settled());

  return new CoreDelivery(
    { body, properties, deliveryInfo, deliveryCount },
    {
      ack: () => thenSettled(Promise.resolve(hooks.acknowledge(message))),
      requeue: () =>
        thenSettled(copyThenAcknowledge(queue, properties, { deliveryCount: deliveryCount + 1, exchange, routingKey })),
      deadLetter: async (headers) => {
        const target = await hooks.deadLetterQueue().catch((error: unknown) => {
          hooks.settled();
          throw error;
        });
        if (!target) return thenSettled(Promise.resolve(hooks.acknowledge(message)));
        return thenSettled(
          copyThenAcknowledge(target, deadLetterProperties(properties, headers), { exchange, routingKey }),
        );
      },
      isLive: () => hooks.isCurrent(message),
      closing: hooks.closing,
      abandoned: (reason) => {
        hooks.logger.debug(
          `delayed requeue of message ${packet.messageId} abandoned (${reason}); the broker resends it`,
        );
        hooks.settled();
      },
    },
  );
}
