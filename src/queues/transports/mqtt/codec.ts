/**
 * Carries `MessageProperties` in MQTT 5 publish properties. Content type and expiry use the native fields
 * (the broker drops expired messages itself); everything else travels as one JSON user property so that
 * header values keep their types. Bookkeeping the transport needs (delivery count, original route,
 * publisher sequence) rides in the same JSON under `ms-envelope`; messages from earlier versions, which sent
 * it as separate user properties, still decode, and requeued or dead-lettered copies carry those too.
 */
import { encodePropertiesJson, sanitizeProperties } from '../core/properties.js';
import type { MessageProperties } from '../transport.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const PROPERTIES = 'ms-properties';
const DELIVERY_COUNT = 'ms-delivery-count';
const EXCHANGE = 'ms-exchange';
const ROUTING_KEY = 'ms-routing-key';
const PUBLISHER = 'ms-publisher';
const SEQUENCE = 'ms-seq';

/** What the transport itself adds to a message, beside the caller's properties. */
export interface MqttEnvelope {
  /** The delivery a republished (requeued) copy will be; absent on a first publish. */
  readonly deliveryCount?: number;
  /** Where the message was first published, kept when it is requeued onto the queue's own topic. */
  readonly exchange?: string;
  readonly routingKey?: string;
  /** Publisher id and per-topic sequence number, for the consumer's gap detector. */
  readonly publisher?: string;
  readonly sequence?: number;
}

/** What `decodeMqttProperties` reads back from one message. */
export interface DecodedProperties {
  readonly properties: MessageProperties;
  readonly envelope: MqttEnvelope;
}

export interface MqttPublishProperties {
  contentType?: string;
  messageExpiryInterval?: number;
  /** MQTT 5 request/response: where the reply goes, and the id it answers (see `./reply.ts`). */
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties: Record<string, string>;
}

/** The envelope's key inside the `ms-properties` JSON; `sanitizeProperties` never keeps it as a property. */
const ENVELOPE = 'ms-envelope';

/**
 * Adds the envelope to the properties JSON: one user property per message instead of one per envelope field.
 * Every user property costs MQTT.js several separate socket chunks to write and several string copies to
 * parse, which made up most of the transport's cost over a bare QoS 1 publish.
 */
function withEnvelope(json: string, envelope: MqttEnvelope): string {
  const encoded = JSON.stringify(envelope);
  if (encoded === '{}') return json;
  return json === '{}' ? `{"${ENVELOPE}":${encoded}}` : `${json.slice(0, -1)},"${ENVELOPE}":${encoded}}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The envelope carried in the properties JSON, each field type-checked (any MQTT client can send one). */
function envelopeFrom(raw: Record<string, unknown>): MqttEnvelope {
  const { deliveryCount, exchange, routingKey, publisher, sequence } = raw;
  const envelope: Mutable<MqttEnvelope> = {};
  if (Number.isInteger(deliveryCount) && (deliveryCount as number) > 0)
    envelope.deliveryCount = deliveryCount as number;
  if (typeof exchange === 'string') envelope.exchange = exchange;
  if (typeof routingKey === 'string') envelope.routingKey = routingKey;
  if (typeof publisher === 'string') envelope.publisher = publisher;
  if (Number.isInteger(sequence)) envelope.sequence = sequence as number;
  return envelope;
}

/** The envelope as separate user properties, as earlier versions of this transport sent it. */
function legacyEnvelope(user: Record<string, string | string[]>): MqttEnvelope {
  const count = Number(single(user[DELIVERY_COUNT]));
  const sequence = Number(single(user[SEQUENCE]));
  const exchange = single(user[EXCHANGE]);
  const routingKey = single(user[ROUTING_KEY]);
  const publisher = single(user[PUBLISHER]);
  return {
    ...(Number.isInteger(count) && count > 0 ? { deliveryCount: count } : {}),
    ...(exchange !== undefined ? { exchange } : {}),
    ...(routingKey !== undefined ? { routingKey } : {}),
    ...(publisher !== undefined ? { publisher } : {}),
    ...(Number.isInteger(sequence) ? { sequence } : {}),
  };
}

/**
 * The publish properties for a message.
 * @example encodeMqttProperties({ contentType: 'application/json' }, { publisher: 'p1', sequence: 7 });
 */
export function encodeMqttProperties(properties: MessageProperties, envelope: MqttEnvelope): MqttPublishProperties {
  const userProperties: Record<string, string> = {
    [PROPERTIES]: withEnvelope(encodePropertiesJson(properties), envelope),
  };
  // Copies (requeue, dead-letter; off the hot path) also carry their count and route the way earlier
  // versions read them, so a consumer not yet upgraded on the same queue keeps counting deliveries.
  if (envelope.deliveryCount !== undefined) userProperties[DELIVERY_COUNT] = String(envelope.deliveryCount);
  if (envelope.exchange !== undefined) userProperties[EXCHANGE] = envelope.exchange;
  if (envelope.routingKey !== undefined) userProperties[ROUTING_KEY] = envelope.routingKey;
  const result: MqttPublishProperties = { userProperties };
  // Only well-typed values reach the native fields: the broker drops a client that sends a bad packet.
  const { contentType, expiration, replyTo, correlationId } = properties;
  if (typeof contentType === 'string' && contentType) result.contentType = contentType;
  // MQTT counts expiry in whole seconds; rounding up never drops a message early.
  if (typeof expiration === 'number' && Number.isFinite(expiration) && expiration >= 0) {
    result.messageExpiryInterval = Math.min(0xffff_ffff, Math.max(1, Math.ceil(expiration / 1000)));
  }
  if (typeof replyTo === 'string' && replyTo) result.responseTopic = replyTo;
  if (typeof correlationId === 'string') result.correlationData = Buffer.from(correlationId, 'utf8');
  return result;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads properties and envelope back; a message from another MQTT client (no JSON property) still decodes.
 * @example decodeMqttProperties(packet.properties).properties.contentType;
 */
export function decodeMqttProperties(
  source: {
    contentType?: string;
    responseTopic?: string;
    correlationData?: Buffer;
    userProperties?: Record<string, string | string[]>;
  } = {},
): DecodedProperties {
  const user = source.userProperties ?? {};
  let properties: MessageProperties = {};
  let envelope: MqttEnvelope | undefined;
  const json = single(user[PROPERTIES]);
  if (json) {
    try {
      // A foreign client can send anything here (`{"contentType":5}`): every field is type-checked, so a
      // copy never re-encodes what MQTT refuses (issue 10 item 7).
      const raw: unknown = JSON.parse(json);
      properties = sanitizeProperties(raw);
      if (isRecord(raw) && isRecord(raw[ENVELOPE])) envelope = envelopeFrom(raw[ENVELOPE]);
    } catch {
      properties = {};
    }
  } else if (source.contentType) {
    properties = { contentType: source.contentType };
  }
  // A request from a plain MQTT 5 client names its reply natively.
  if (properties.replyTo === undefined && source.responseTopic) {
    properties = {
      ...properties,
      replyTo: source.responseTopic,
      ...(source.correlationData ? { correlationId: source.correlationData.toString('utf8') } : {}),
    };
  }
  envelope ??= legacyEnvelope(user);
  return { properties, envelope };
}
