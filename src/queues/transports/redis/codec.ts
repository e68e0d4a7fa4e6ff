/**
 * How a message becomes a stream entry and back. An entry has the fields `b` the body (raw bytes), `p` the
 * properties as JSON, `x` and `k` the exchange and routing key it was published with (`x` only when it is
 * not the default exchange `''`). An optional `e` holds the absolute expiry (ms since the epoch) computed from
 * `properties.expiration` at publish time.
 */
import { isUtf8 } from 'node:buffer';
import { encodePropertiesJson, sanitizeProperties } from '../core/properties.js';
import type { MessageProperties, OutgoingMessage, PublishTarget } from '../transport.js';

/** One stream entry as read back: its id and its fields. */
export interface StreamEntry {
  readonly id: string;
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly exchange: string;
  readonly routingKey: string;
  /** Ms since the epoch after which the message is dropped unseen; undefined when it never expires. */
  readonly expiresAt: number | undefined;
  /**
   * Deliveries of this message before this entry existed (field `c`): a retry with backoff moves the
   * message to a new entry (delayed.ts), whose own delivery counter starts again at 1.
   */
  readonly priorDeliveries?: number;
}

/**
 * The field/value list for XADD, in the order the reader expects nothing of (fields are named). `x` is left
 * out for the default exchange (`''`, what a reader assumes when it is missing), which saves two arguments
 * per publish on the client, in the routing script and in every read of the entry.
 */
export function encodeEntry(target: PublishTarget, message: OutgoingMessage, now = Date.now()): (string | Buffer)[] {
  const fields: (string | Buffer)[] = ['b', wireBody(message), 'p', encodePropertiesJson(message.properties)];
  if (target.exchange !== '') fields.push('x', target.exchange);
  fields.push('k', target.routingKey);
  const expiration = message.properties.expiration;
  if (expiration !== undefined && Number.isFinite(expiration)) fields.push('e', String(now + expiration));
  return fields;
}

/**
 * The body as ioredis should send it: a UTF-8 body (JSON, text) as a string, which ioredis writes straight
 * into the command, where a Buffer switches the whole command to ioredis' buffer mode (an extra allocation
 * and copy of every argument). The queue client's text is taken as it is (`OutgoingMessage.text`); a body
 * that came as bytes is decoded when it is valid UTF-8, which gives back the same bytes on the wire; anything
 * else (binary) stays a Buffer.
 */
function wireBody(message: OutgoingMessage): string | Buffer {
  if (message.text !== undefined) return message.text;
  const body = message.body;
  return isUtf8(body) ? body.toString('utf8') : body;
}

/** Re-encodes a read entry, with extra headers merged in (the dead-letter copy carries the error). */
export function reencodeEntry(
  entry: StreamEntry,
  headers: Readonly<Record<string, unknown>> = {},
): (string | Buffer)[] {
  const properties: MessageProperties = {
    ...entry.properties,
    headers: { ...entry.properties.headers, ...headers },
  };
  return encodeEntry({ exchange: entry.exchange, routingKey: entry.routingKey }, { body: entry.body, properties });
}

function parseProperties(raw: Buffer | undefined): MessageProperties {
  if (!raw) return {};
  try {
    // Written by any program with access to the stream: every field is type-checked (issue 10 item 7).
    return sanitizeProperties(JSON.parse(raw.toString('utf8')));
  } catch {
    // An entry written by another program (redis-cli XADD) has no JSON properties; it is still delivered.
    return {};
  }
}

/** The one-letter field names an entry can carry, as byte values (see encodeEntry). */
const FIELD_BODY = 0x62; // b
const FIELD_PROPERTIES = 0x70; // p
const FIELD_EXCHANGE = 0x78; // x
const FIELD_KEY = 0x6b; // k
const FIELD_EXPIRY = 0x65; // e
const FIELD_PRIOR = 0x63; // c

/** The byte of a one-letter field name, or -1 for any other name (written by another program). */
function fieldLetter(name: unknown): number {
  return Buffer.isBuffer(name) && name.length === 1 ? (name[0] as number) : -1;
}

/**
 * Decodes `[id, [field, value, ...]]` as returned by XREADGROUP/XAUTOCLAIM through `callBuffer`. Returns
 * undefined for an entry deleted while it was pending (Redis returns its fields as null). The field names
 * are compared as bytes (no string per name); a repeated field keeps its last value, as before.
 */
export function decodeEntry(raw: unknown): StreamEntry | undefined {
  if (!Array.isArray(raw) || raw.length < 2) return undefined;
  const [rawId, rawFields] = raw as [unknown, unknown];
  if (!Array.isArray(rawFields)) return undefined;
  let body: Buffer | undefined;
  let properties: Buffer | undefined;
  let exchange: Buffer | undefined;
  let routingKey: Buffer | undefined;
  let expiry: Buffer | undefined;
  let prior: Buffer | undefined;
  for (let index = 0; index + 1 < rawFields.length; index += 2) {
    const value: unknown = rawFields[index + 1];
    if (!Buffer.isBuffer(value)) continue;
    switch (fieldLetter(rawFields[index])) {
      case FIELD_BODY:
        body = value;
        break;
      case FIELD_PROPERTIES:
        properties = value;
        break;
      case FIELD_EXCHANGE:
        exchange = value;
        break;
      case FIELD_KEY:
        routingKey = value;
        break;
      case FIELD_EXPIRY:
        expiry = value;
        break;
      case FIELD_PRIOR:
        prior = value;
        break;
    }
  }
  const priorDeliveries = prior === undefined ? 0 : Number(prior.toString('utf8'));
  return {
    id: String(rawId),
    body: body ?? Buffer.alloc(0),
    properties: parseProperties(properties),
    exchange: exchange?.toString('utf8') ?? '',
    routingKey: routingKey?.toString('utf8') ?? '',
    expiresAt: expiry === undefined ? undefined : Number(expiry.toString('utf8')),
    ...(Number.isSafeInteger(priorDeliveries) && priorDeliveries > 0 ? { priorDeliveries } : {}),
  };
}

/** The id of a raw entry even when its fields are gone, so a deleted pending entry can still be acked. */
export function entryId(raw: unknown): string | undefined {
  return Array.isArray(raw) && raw.length > 0 ? String(raw[0]) : undefined;
}
