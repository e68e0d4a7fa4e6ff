/**
 * Message properties checked at the two edges where they cross a boundary. Decoding: properties carried as
 * JSON (Redis stream field `p`, NATS header `Ms-Properties`, MQTT user property `ms-properties`) may come
 * from a foreign producer, so each field keeps its value only when it has the documented type; a copy
 * (requeue, dead-letter) then never re-encodes what the protocol refuses, such as an MQTT content type
 * that is a number (issue 10 item 7). Encoding: values no broker can carry are refused with one code.
 */
import { ERRORS } from '../../../errors.js';
import type { MessageProperties } from '../transport.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const STRING_FIELDS = [
  'contentType',
  'contentEncoding',
  'messageId',
  'correlationId',
  'replyTo',
  'type',
  'appId',
] as const;

/** Longest string property kept from a foreign message (AMQP's shortstr limit). */
const MAX_PROPERTY_LENGTH = 255;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Keeps the fields of decoded JSON properties that have their documented types; drops the others.
 * @example sanitizeProperties({ contentType: 5, priority: 3 }); // { priority: 3 }
 */
export function sanitizeProperties(raw: unknown): MessageProperties {
  if (!isPlainObject(raw)) return {};
  const result: Mutable<MessageProperties> = {};
  for (const field of STRING_FIELDS) {
    const value = raw[field];
    if (typeof value === 'string' && value.length <= MAX_PROPERTY_LENGTH) result[field] = value;
  }
  if (isPlainObject(raw.headers)) {
    // JSON has no prototype pollution here (JSON.parse makes own properties), but a `__proto__` key would
    // turn into a prototype once spread into a fresh object: drop it.
    const { __proto__: _ignored, ...headers } = raw.headers;
    result.headers = headers;
  }
  const { expiration, priority, timestamp, persistent } = raw;
  if (typeof expiration === 'number' && Number.isFinite(expiration) && expiration >= 0) result.expiration = expiration;
  if (typeof priority === 'number' && Number.isInteger(priority) && priority >= 0 && priority <= 255) {
    result.priority = priority;
  }
  if (typeof timestamp === 'number' && Number.isFinite(timestamp)) result.timestamp = timestamp;
  if (typeof persistent === 'boolean') result.persistent = persistent;
  return result;
}

/**
 * `JSON.stringify(properties)`, refusing with `MS_QUEUE_UNENCODABLE` what JSON cannot carry (a BigInt or
 * circular header) instead of throwing a raw TypeError.
 * @example encodePropertiesJson({ headers: { a: 1 } }); // '{"headers":{"a":1}}'
 */
export function encodePropertiesJson(properties: MessageProperties): string {
  try {
    return JSON.stringify(properties);
  } catch (error) {
    throw ERRORS.MS_QUEUE_UNENCODABLE('the message properties cannot be encoded as JSON', {
      cause: error,
    });
  }
}

/**
 * Refuses header values no transport can carry (BigInt, functions, symbols, circular objects), so every
 * broker rejects the same publish with the same code instead of throwing a raw TypeError or dropping them.
 * @example assertEncodableHeaders({ big: 1n }); // throws MS_QUEUE_UNENCODABLE
 */
export function assertEncodableHeaders(headers: Readonly<Record<string, unknown>>): void {
  if (typeof headers !== 'object' || headers === null) {
    throw ERRORS.MS_QUEUE_UNENCODABLE('headers must be an object');
  }
  for (const [key, value] of Object.entries(headers)) {
    const type = typeof value;
    if (type === 'bigint' || type === 'function' || type === 'symbol') {
      throw ERRORS.MS_QUEUE_UNENCODABLE(`header "${key.slice(0, 64)}" is a ${type}: not encodable`);
    }
    if (type === 'object' && value !== null && !Buffer.isBuffer(value) && !(value instanceof Date)) {
      try {
        JSON.stringify(value);
      } catch (error) {
        throw ERRORS.MS_QUEUE_UNENCODABLE(`header "${key.slice(0, 64)}" is not encodable`, {
          cause: error,
        });
      }
    }
  }
}
