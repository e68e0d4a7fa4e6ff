/**
 * Payload encoding and decoding by content type, with kombu's conventions so that Python kombu and Celery
 * producers and consumers interoperate: strings travel as `text/plain` + `utf-8`, bytes as
 * `application/data` + `binary`, everything else as `application/json` + `utf-8`.
 */
import { CODES, ERRORS, MicroservicesError } from '../errors.js';
import { parseWithoutPoison } from '../internal/json.js';
import { decodeCharset, decompressBody } from './body-decoding.js';
import { describeFailure } from './failure.js';
import type { TextOrBytes } from './outgoing-message.js';
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
    super(CODES.MS_QUEUE_UNDECODABLE, message, { cause });
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
  const encoded = encodeWireBody(payload, properties);
  const body = encoded.bytes ?? Buffer.from(encoded.text as string, 'utf8');
  return { body, contentType: encoded.contentType, contentEncoding: encoded.contentEncoding };
}

/** A payload encoded for the wire: `text` (its bytes are its UTF-8 encoding) or, for binary payloads, `bytes`. */
export interface WireBody extends TextOrBytes {
  readonly contentType: string;
  readonly contentEncoding: string;
}

/**
 * `encodePayload` without turning text into bytes: the queue client hands the text to the transport, and
 * builds the bytes only if the transport asks for them (see `OutgoingMessage.text`).
 * @example encodeWireBody({ a: 1 }); // { text: '{"a":1}', contentType: 'application/json', contentEncoding: 'utf-8' }
 */
export function encodeWireBody(payload: Payload, properties?: MessageProperties): WireBody {
  const contentType = properties?.contentType;
  if (Buffer.isBuffer(payload) || payload instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.length);
    return {
      bytes,
      contentType: contentType ?? BINARY_TYPE,
      contentEncoding: properties?.contentEncoding ?? 'binary',
    };
  }
  if (typeof payload === 'string') {
    return {
      text: payload,
      contentType: contentType ?? TEXT_TYPE,
      contentEncoding: properties?.contentEncoding ?? 'utf-8',
    };
  }
  let text: string | undefined;
  try {
    text = payload === undefined ? undefined : JSON.stringify(payload);
  } catch (error) {
    // BigInt, a circular structure, or a toJSON that throws.
    throw ERRORS.MS_QUEUE_UNENCODABLE(`cannot encode the payload as JSON: ${describeFailure(error).message}`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw ERRORS.MS_QUEUE_UNENCODABLE(`cannot encode a payload of type ${typeof payload} as JSON`);
  }
  return { text, contentType: JSON_TYPE, contentEncoding: 'utf-8' };
}

function isJsonType(mediaType: string): boolean {
  return mediaType === JSON_TYPE || mediaType.endsWith('+json');
}

/** How JSON bodies are parsed. */
export interface DecodeOptions {
  /**
   * Replaces the JSON parser, e.g. to keep integers past 2^53 exact (`JSON.parse` rounds them silently):
   * pass a BigInt-safe parser such as `json-bigint`'s `parse`. It receives the decoded text; what it returns
   * is the payload. It takes over the `__proto__` and `constructor` removal too.
   */
  readonly parseJson?: (text: string) => unknown;
}

/**
 * Decodes a body by its content type, after undoing kombu's `compression` header and honouring the declared
 * `contentEncoding` (utf-8, utf-16, utf-16le/be, latin-1, ascii; strict: bad bytes throw, never U+FFFD):
 * JSON to any JSON value (numbers and null too), `text/*` to a string, `binary` or
 * `application/data`/`octet-stream` to a Buffer. No content type (messages typed in the RabbitMQ UI) gives a
 * string when the bytes are UTF-8, else the Buffer. Pickle and other formats that cannot be read safely, and
 * compressions Node cannot undo (bzip2, lzma, zstd), throw `PayloadDecodeError` with the reason.
 * @example decodePayload(Buffer.from('42'), { contentType: 'application/json' }); // 42
 */
export function decodePayload(body: Buffer, properties: MessageProperties, options: DecodeOptions = {}): Payload {
  const raw = properties.contentType;
  // The common exact values skip the parameter stripping and lower-casing.
  const mediaType =
    raw === JSON_TYPE || raw === TEXT_TYPE || raw === BINARY_TYPE
      ? raw
      : raw === undefined
        ? ''
        : typeof raw === 'string'
          ? (raw.split(';', 1)[0] as string).trim().toLowerCase()
          : 'invalid';
  if (mediaType === 'invalid') throw new PayloadDecodeError(`the content type is not a string (${typeof raw})`);
  const encoding = typeof properties.contentEncoding === 'string' ? properties.contentEncoding : undefined;
  const compression = properties.headers?.compression;
  const bytes = compression === undefined ? body : decompressBody(body, compression);
  const lowerEncoding = encoding?.toLowerCase();
  if (isJsonType(mediaType)) {
    // kombu skips the text step for 'binary'; JSON bytes are then UTF-8.
    const text = decodeCharset(
      bytes,
      lowerEncoding === 'binary' || lowerEncoding === 'ascii-8bit' ? undefined : encoding,
    );
    try {
      if (options.parseJson) return options.parseJson(text);
      return parseWithoutPoison(text, 'remove');
    } catch (error) {
      throw new PayloadDecodeError(`body is not valid JSON: ${describeFailure(error).message}`, error);
    }
  }
  if (mediaType === 'application/x-python-serialize') {
    throw new PayloadDecodeError('pickle payloads are refused: they cannot be decoded safely outside Python');
  }
  if (lowerEncoding === 'binary' || lowerEncoding === 'ascii-8bit') return bytes;
  if (mediaType === BINARY_TYPE || mediaType === 'application/octet-stream') return bytes;
  if (mediaType.startsWith('text/')) return decodeCharset(bytes, encoding);
  if (mediaType === '') {
    try {
      return decodeCharset(bytes, encoding);
    } catch {
      return bytes;
    }
  }
  if (encoding !== undefined) return decodeCharset(bytes, encoding);
  throw new PayloadDecodeError(`no decoder for content type "${String(raw).slice(0, 128)}"`);
}
