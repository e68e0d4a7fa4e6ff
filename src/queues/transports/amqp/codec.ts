/**
 * Maps the transport's `MessageProperties` to amqplib's publish options and back. AMQP carries the
 * timestamp in whole seconds while the interface speaks milliseconds, and `exactOptionalPropertyTypes`
 * wants absent fields left out rather than set to undefined, hence the explicit copying.
 */
import type { MessageProperties as AmqplibProperties, Options } from 'amqplib';
import { ERRORS } from '../../../errors.js';
import type { MessageProperties } from '../transport.js';
import { toAmqpHeaders } from './field-encode.js';

/**
 * The header that counts deliveries across the copies this transport republishes (requeue, checkpoint).
 * @example delivery.properties.headers?.[DELIVERY_COUNT_HEADER]; // 2 on a copy requeued after two deliveries
 */
export const DELIVERY_COUNT_HEADER = 'x-ms-delivery-count';

/** The longest `expiration` RabbitMQ accepts, in ms (its per-message TTL is an unsigned 32-bit value). */
const MAX_EXPIRATION_MS = 0xffff_ffff;

function unencodable(field: string, why: string): never {
  throw ERRORS.MS_QUEUE_UNENCODABLE(`The property "${field}" cannot be sent over AMQP: ${why}`);
}

/** A basic-property short string: a string of at most 255 UTF-8 bytes. */
function shortString(field: string, value: unknown): string {
  if (typeof value !== 'string') unencodable(field, `a ${typeof value}, not a string`);
  // Up to 85 UTF-16 units is at most 255 UTF-8 bytes: skip measuring the usual short values.
  if (value.length <= 85) return value;
  const bytes = Buffer.byteLength(value);
  if (bytes > 255) unencodable(field, `${bytes} bytes (the limit is 255)`);
  return value;
}

function wholeNumber(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    unencodable(field, `${String(value)} is not a number from 0 to ${max}`);
  }
  return value;
}

const JSON_TYPE = 'application/json';

/**
 * JSON text is UTF-8 (RFC 8259 §8.1) and kombu reads a message without an encoding as UTF-8, so on JSON the
 * encoding `utf-8` says nothing and is left off the wire: RabbitMQ parses and stores every property of every
 * message, and this one cost about 3 % of publish throughput (issue 16). `fromAmqpProperties` puts it back.
 */
function impliedByJson(contentType: unknown, encoding: string): boolean {
  return contentType === JSON_TYPE && encoding === 'utf-8';
}

/**
 * amqplib publish options for a message: persistent unless told otherwise, always `mandatory` so that a
 * message no queue receives comes back as a `basic.return` instead of vanishing. Everything is checked
 * first: what AMQP cannot carry throws `MS_QUEUE_UNENCODABLE` here, before the publish touches a channel
 * (amqplib would throw in the middle of writing it). Headers get explicit types (`amqp-field-encode.ts`).
 * @example toPublishOptions({ contentType: 'application/json' }).mandatory; // true
 * @example toPublishOptions({ priority: 1000 }); // throws MS_QUEUE_UNENCODABLE: priority is 0..255
 */
export function toPublishOptions(properties: MessageProperties): Options.Publish {
  const persistent = properties.persistent ?? true;
  if (typeof persistent !== 'boolean') unencodable('persistent', `a ${typeof persistent}, not a boolean`);
  const options: Options.Publish = { mandatory: true, persistent };
  if (properties.contentType !== undefined) options.contentType = shortString('contentType', properties.contentType);
  if (properties.contentEncoding !== undefined) {
    const encoding = shortString('contentEncoding', properties.contentEncoding);
    if (!impliedByJson(properties.contentType, encoding)) options.contentEncoding = encoding;
  }
  if (properties.headers !== undefined) {
    if (typeof properties.headers !== 'object' || properties.headers === null || Array.isArray(properties.headers))
      unencodable('headers', 'not an object');
    options.headers = toAmqpHeaders(properties.headers);
  }
  if (properties.messageId !== undefined) options.messageId = shortString('messageId', properties.messageId);
  if (properties.correlationId !== undefined)
    options.correlationId = shortString('correlationId', properties.correlationId);
  if (properties.replyTo !== undefined) options.replyTo = shortString('replyTo', properties.replyTo);
  if (properties.expiration !== undefined)
    options.expiration = String(Math.round(wholeNumber('expiration', properties.expiration, MAX_EXPIRATION_MS)));
  if (properties.priority !== undefined) {
    const priority = wholeNumber('priority', properties.priority, 255);
    if (!Number.isInteger(priority)) unencodable('priority', `${priority} is not an integer`);
    options.priority = priority;
  }
  if (properties.timestamp !== undefined)
    options.timestamp = Math.floor(wholeNumber('timestamp', properties.timestamp, Number.MAX_SAFE_INTEGER) / 1000);
  if (properties.type !== undefined) options.type = shortString('type', properties.type);
  if (properties.appId !== undefined) options.appId = shortString('appId', properties.appId);
  return options;
}

function defined<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null;
}

/**
 * The transport's view of the properties of a received message. JSON without an encoding reads as `utf-8`,
 * the encoding it is decoded with (and the one `toPublishOptions` leaves off the wire).
 * @example fromAmqpProperties(message.properties).contentType;
 */
export function fromAmqpProperties(properties: AmqplibProperties): MessageProperties {
  const result: { -readonly [K in keyof MessageProperties]: MessageProperties[K] } = {
    persistent: properties.deliveryMode === 2,
  };
  if (defined(properties.contentType)) result.contentType = String(properties.contentType);
  if (defined(properties.contentEncoding)) result.contentEncoding = String(properties.contentEncoding);
  else if (properties.contentType === JSON_TYPE) result.contentEncoding = 'utf-8';
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
