/**
 * Payload encoding and decoding by content type, with kombu's conventions so that Python kombu and Celery
 * producers and consumers interoperate: strings travel as `text/plain` + `utf-8`, bytes as
 * `application/data` + `binary`, everything else as `application/json` + `utf-8`.
 */
import secureJson from 'secure-json-parse';
import { MicroservicesError } from '../errors.js';
import type { MessageProperties } from './transports/transport.js';

/** What a handler may receive: any JSON value, a string, or raw bytes. */
export type Payload = unknown;

export interface EncodedPayload {
  readonly body: Buffer;
  readonly contentType: string;
  readonly contentEncoding: string;
}

/** Thrown when a body cannot be decoded; the service dead-letters such a message at once. */
export class PayloadDecodeError extends MicroservicesError {
  /** @example throw new PayloadDecodeError('invalid JSON', cause); */
  constructor(message: string, cause?: unknown) {
    super('MS_QUEUE_UNDECODABLE', message, { cause });
  }
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain';
const BINARY_TYPE = 'application/data';

/**
 * Encodes a payload the way kombu does. An explicit `contentType` with a string or Buffer payload sends the
 * bytes as they are under that type; `undefined`, functions and symbols cannot be sent.
 * @example encodePayload({ a: 1 }); // { body: <Buffer 7b…>, contentType: 'application/json', contentEncoding: 'utf-8' }
 */
export function encodePayload(payload: Payload, properties?: MessageProperties): EncodedPayload {
  const contentType = properties?.contentType;
  if (Buffer.isBuffer(payload) || payload instanceof Uint8Array) {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.length);
    return {
      body,
      contentType: contentType ?? BINARY_TYPE,
      contentEncoding: properties?.contentEncoding ?? 'binary',
    };
  }
  if (typeof payload === 'string') {
    return {
      body: Buffer.from(payload, 'utf8'),
      contentType: contentType ?? TEXT_TYPE,
      contentEncoding: properties?.contentEncoding ?? 'utf-8',
    };
  }
  const text = payload === undefined ? undefined : JSON.stringify(payload);
  if (text === undefined) {
    throw new MicroservicesError('MS_QUEUE_UNENCODABLE', `cannot encode a payload of type ${typeof payload} as JSON`);
  }
  return { body: Buffer.from(text, 'utf8'), contentType: JSON_TYPE, contentEncoding: 'utf-8' };
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(body: Buffer, encoding: string | undefined): string {
  const normalized = encoding?.toLowerCase().replace(/_/g, '-');
  if (normalized === 'latin1' || normalized === 'latin-1' || normalized === 'iso-8859-1') {
    return body.toString('latin1');
  }
  if (normalized === 'ascii' || normalized === 'us-ascii') return body.toString('ascii');
  try {
    return fatalUtf8.decode(body);
  } catch (error) {
    throw new PayloadDecodeError(`body is not valid ${encoding ?? 'utf-8'} text`, error);
  }
}

function isJsonType(mediaType: string): boolean {
  return mediaType === JSON_TYPE || mediaType.endsWith('+json');
}

/**
 * Decodes a body by its content type: JSON to any JSON value (numbers and null too), `text/*` to a string,
 * `binary` or `application/data`/`octet-stream` to a Buffer. No content type (messages typed in the RabbitMQ
 * UI) gives a string when the bytes are UTF-8, else the Buffer. Pickle and other formats that cannot be read
 * safely throw `PayloadDecodeError`.
 * @example decodePayload(Buffer.from('42'), { contentType: 'application/json' }); // 42
 */
export function decodePayload(body: Buffer, properties: MessageProperties): Payload {
  const raw = properties.contentType;
  // The common exact values skip the parameter stripping and lower-casing.
  const mediaType =
    raw === JSON_TYPE || raw === TEXT_TYPE || raw === BINARY_TYPE
      ? raw
      : raw === undefined
        ? ''
        : (raw.split(';', 1)[0] as string).trim().toLowerCase();
  const encoding = properties.contentEncoding;
  if (isJsonType(mediaType)) {
    try {
      // A fast path inside skips the scan unless the text mentions __proto__ or constructor.
      return secureJson.parse(body.toString('utf8'), undefined, { protoAction: 'remove', constructorAction: 'remove' });
    } catch (error) {
      throw new PayloadDecodeError(`body is not valid JSON: ${(error as Error).message}`, error);
    }
  }
  if (mediaType === 'application/x-python-serialize') {
    throw new PayloadDecodeError('pickle payloads are refused: they cannot be decoded safely outside Python');
  }
  if (encoding?.toLowerCase() === 'binary') return body;
  if (mediaType === BINARY_TYPE || mediaType === 'application/octet-stream') return body;
  if (mediaType.startsWith('text/')) return decodeText(body, encoding);
  if (mediaType === '') {
    try {
      return decodeText(body, encoding);
    } catch {
      return body;
    }
  }
  if (encoding !== undefined) return decodeText(body, encoding);
  throw new PayloadDecodeError(`no decoder for content type "${raw}"`);
}
