/**
 * Carries `MessageProperties` in NATS headers. The message id goes in `Nats-Msg-Id` (the server's
 * deduplication key); everything else travels as one JSON header so that header values keep their types
 * (a number stays a number) and names keep their case.
 */
import type { MsgHdrs } from '@nats-io/nats-core';
import { encodePropertiesJson, sanitizeProperties } from '../core/properties.js';
import type { MessageProperties } from '../transport.js';

export const MSG_ID_HEADER = 'Nats-Msg-Id';
export const PROPERTIES_HEADER = 'Ms-Properties';
/** Milliseconds since the epoch at publish time; with `expiration` it lets consumers drop stale messages. */
export const PUBLISHED_AT_HEADER = 'Ms-Published-At';

/**
 * Writes the properties into a fresh header set made by `makeHeaders` (the client's `headers()`).
 * @example encodeNatsHeaders({ messageId: 'm1', contentType: 'application/json' }, headers, Date.now());
 */
export function encodeNatsHeaders(properties: MessageProperties, makeHeaders: () => MsgHdrs, now: number): MsgHdrs {
  const result = makeHeaders();
  const { messageId, ...rest } = properties;
  if (messageId !== undefined) result.set(MSG_ID_HEADER, messageId);
  result.set(PROPERTIES_HEADER, encodePropertiesJson(rest));
  result.set(PUBLISHED_AT_HEADER, String(now));
  return result;
}

/**
 * Reads the properties back; a message published by another NATS client (no JSON header) still decodes,
 * with its plain headers as `headers`.
 * @example decodeNatsHeaders(message.headers).messageId;
 */
export function decodeNatsHeaders(source: MsgHdrs | undefined): MessageProperties {
  if (!source) return {};
  const messageId = source.get(MSG_ID_HEADER) || undefined;
  const json = source.get(PROPERTIES_HEADER);
  let properties: MessageProperties = {};
  if (json) {
    try {
      // Any NATS client can set this header: every field is type-checked (issue 10 item 7).
      properties = sanitizeProperties(JSON.parse(json));
    } catch {
      properties = {};
    }
  } else {
    const headers: Record<string, string> = {};
    for (const [key, values] of source) headers[key] = values.join(', ');
    properties = { headers };
  }
  return messageId === undefined ? properties : { ...properties, messageId };
}

/**
 * True when the message carried an `expiration` that has passed. JetStream 2.9 has no per-message TTL, so
 * the consumer drops expired messages instead of handing them out.
 * @example isExpired(properties, message.headers, Date.now());
 */
export function isExpired(properties: MessageProperties, source: MsgHdrs | undefined, now: number): boolean {
  if (properties.expiration === undefined) return false;
  const publishedAt = Number(source?.get(PUBLISHED_AT_HEADER));
  return Number.isFinite(publishedAt) && publishedAt + properties.expiration < now;
}
