/**
 * Maps the transport's `MessageProperties` to amqplib's publish options and back. AMQP carries the
 * timestamp in whole seconds while the interface speaks milliseconds, and `exactOptionalPropertyTypes`
 * wants absent fields left out rather than set to undefined, hence the explicit copying.
 */
import type { MessageProperties as AmqplibProperties, Options } from 'amqplib';
import type { MessageProperties } from './transport.js';

/**
 * The header that counts deliveries across the copies this transport republishes (requeue, checkpoint).
 * @example delivery.properties.headers?.[DELIVERY_COUNT_HEADER]; // 2 on a copy requeued after two deliveries
 */
export const DELIVERY_COUNT_HEADER = 'x-ms-delivery-count';

/**
 * amqplib publish options for a message: persistent unless told otherwise, always `mandatory` so that a
 * message no queue receives comes back as a `basic.return` instead of vanishing.
 * @example toPublishOptions({ contentType: 'application/json' }).mandatory; // true
 */
export function toPublishOptions(properties: MessageProperties): Options.Publish {
  const options: Options.Publish = { mandatory: true, persistent: properties.persistent ?? true };
  if (properties.contentType !== undefined) options.contentType = properties.contentType;
  if (properties.contentEncoding !== undefined) options.contentEncoding = properties.contentEncoding;
  if (properties.headers !== undefined) options.headers = { ...properties.headers };
  if (properties.messageId !== undefined) options.messageId = properties.messageId;
  if (properties.correlationId !== undefined) options.correlationId = properties.correlationId;
  if (properties.replyTo !== undefined) options.replyTo = properties.replyTo;
  if (properties.expiration !== undefined) options.expiration = String(Math.max(0, Math.round(properties.expiration)));
  if (properties.priority !== undefined) options.priority = properties.priority;
  if (properties.timestamp !== undefined) options.timestamp = Math.floor(properties.timestamp / 1000);
  if (properties.type !== undefined) options.type = properties.type;
  if (properties.appId !== undefined) options.appId = properties.appId;
  return options;
}

function defined<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null;
}

/**
 * The transport's view of the properties of a received message.
 * @example fromAmqpProperties(message.properties).contentType;
 */
export function fromAmqpProperties(properties: AmqplibProperties): MessageProperties {
  const result: { -readonly [K in keyof MessageProperties]: MessageProperties[K] } = {
    persistent: properties.deliveryMode === 2,
  };
  if (defined(properties.contentType)) result.contentType = String(properties.contentType);
  if (defined(properties.contentEncoding)) result.contentEncoding = String(properties.contentEncoding);
  if (defined(properties.headers)) result.headers = properties.headers as Record<string, unknown>;
  if (defined(properties.messageId)) result.messageId = String(properties.messageId);
  if (defined(properties.correlationId)) result.correlationId = String(properties.correlationId);
  if (defined(properties.replyTo)) result.replyTo = String(properties.replyTo);
  if (defined(properties.expiration)) result.expiration = Number(properties.expiration);
  if (defined(properties.priority)) result.priority = Number(properties.priority);
  if (defined(properties.timestamp)) result.timestamp = Number(properties.timestamp) * 1000;
  if (defined(properties.type)) result.type = String(properties.type);
  if (defined(properties.appId)) result.appId = String(properties.appId);
  return result;
}

/**
 * How many times this message has been delivered, this time included: the count carried by a republished
 * copy, plus the broker's own redelivery (quorum queues count it in `x-delivery-count`; classic queues only
 * say `redelivered`, which counts as one more: a lower bound, never an overcount).
 * @example deliveryCountOf({ 'x-ms-delivery-count': 2 }, false); // 3
 */
export function deliveryCountOf(headers: Readonly<Record<string, unknown>> | undefined, redelivered: boolean): number {
  const carried = Number(headers?.[DELIVERY_COUNT_HEADER] ?? 0);
  const native = headers?.['x-delivery-count'];
  const brokerRedeliveries = typeof native === 'number' ? native : redelivered ? 1 : 0;
  return 1 + (Number.isFinite(carried) && carried > 0 ? carried : 0) + brokerRedeliveries;
}
