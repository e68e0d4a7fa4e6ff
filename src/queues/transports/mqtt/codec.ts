/**
 * Carries `MessageProperties` in MQTT 5 publish properties. Content type and expiry use the native fields
 * (the broker drops expired messages itself); everything else travels as one JSON user property so that
 * header values keep their types. Bookkeeping the transport needs (delivery count, original route,
 * publisher sequence) rides in its own user properties.
 */
import { encodePropertiesJson, sanitizeProperties } from '../core/properties.js';
import type { MessageProperties } from '../transport.js';

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

export interface MqttPublishProperties {
  contentType?: string;
  messageExpiryInterval?: number;
  /** MQTT 5 request/response: where the reply goes, and the id it answers (see `./reply.ts`). */
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties: Record<string, string>;
}

/**
 * The publish properties for a message.
 * @example encodeMqttProperties({ contentType: 'application/json' }, { publisher: 'p1', sequence: 7 });
 */
export function encodeMqttProperties(properties: MessageProperties, envelope: MqttEnvelope): MqttPublishProperties {
  const userProperties: Record<string, string> = { [PROPERTIES]: encodePropertiesJson(properties) };
  if (envelope.deliveryCount !== undefined) userProperties[DELIVERY_COUNT] = String(envelope.deliveryCount);
  if (envelope.exchange !== undefined) userProperties[EXCHANGE] = envelope.exchange;
  if (envelope.routingKey !== undefined) userProperties[ROUTING_KEY] = envelope.routingKey;
  if (envelope.publisher !== undefined) userProperties[PUBLISHER] = envelope.publisher;
  if (envelope.sequence !== undefined) userProperties[SEQUENCE] = String(envelope.sequence);
  return {
    // Only well-typed values reach the native fields: the broker drops a client that sends a bad packet.
    ...(typeof properties.contentType === 'string' && properties.contentType
      ? { contentType: properties.contentType }
      : {}),
    // MQTT counts expiry in whole seconds; rounding up never drops a message early.
    ...(typeof properties.expiration === 'number' &&
    Number.isFinite(properties.expiration) &&
    properties.expiration >= 0
      ? { messageExpiryInterval: Math.min(0xffff_ffff, Math.max(1, Math.ceil(properties.expiration / 1000))) }
      : {}),
    ...(typeof properties.replyTo === 'string' && properties.replyTo ? { responseTopic: properties.replyTo } : {}),
    ...(typeof properties.correlationId === 'string'
      ? { correlationData: Buffer.from(properties.correlationId, 'utf8') }
      : {}),
    userProperties,
  };
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
): { properties: MessageProperties; envelope: MqttEnvelope } {
  const user = source.userProperties ?? {};
  let properties: MessageProperties = {};
  const json = single(user[PROPERTIES]);
  if (json) {
    try {
      // A foreign client can send anything here (`{"contentType":5}`): every field is type-checked, so a
      // copy never re-encodes what MQTT refuses (issue 10 item 7).
      properties = sanitizeProperties(JSON.parse(json));
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
  const count = Number(single(user[DELIVERY_COUNT]));
  const sequence = Number(single(user[SEQUENCE]));
  const exchange = single(user[EXCHANGE]);
  const routingKey = single(user[ROUTING_KEY]);
  const publisher = single(user[PUBLISHER]);
  const envelope: MqttEnvelope = {
    ...(Number.isInteger(count) && count > 0 ? { deliveryCount: count } : {}),
    ...(exchange !== undefined ? { exchange } : {}),
    ...(routingKey !== undefined ? { routingKey } : {}),
    ...(publisher !== undefined ? { publisher } : {}),
    ...(Number.isInteger(sequence) ? { sequence } : {}),
  };
  return { properties, envelope };
}
