/**
 * A decoder for AMQP 0-9-1 field tables (message headers) that reads every type tag RabbitMQ and py-amqp
 * (kombu, Celery) write, and never takes the connection down for a header it cannot read.
 *
 * amqplib 2.3 has no `L` (py-amqp's signed 64-bit integer, written for every int beyond ±2^31) and no `U`
 * (py-amqp's signed 16-bit), reads `D` decimals as unsigned (a negative Decimal from kombu arrives garbled)
 * and turns 64-bit integers past 2^53 into inexact numbers. Its decode error is thrown from the socket
 * reader, which kills the connection; the broker redelivers the message on the next one, and it kills that
 * one too. `amqp-wire.ts` routes content-header frames here instead.
 */

/** What a message's properties carry when its header table could not be read (the message is dead-lettered). */
export interface UnreadableHeaders {
  readonly reason: string;
  /** The raw field-table bytes, kept for the dead-letter copy (bounded by the broker's frame size). */
  readonly raw: Buffer;
}

/**
 * Set on the decoded properties of a message whose headers could not be read.
 * @example if (message.properties[UNREADABLE_HEADERS]) deadLetter(message);
 */
export const UNREADABLE_HEADERS: unique symbol = Symbol('ms.amqp.unreadableHeaders');

/** Nesting deeper than this is refused rather than recursed into (a frame of nested tables is cheap to send). */
export const MAX_TABLE_DEPTH = 32;

/**
 * A decimal as amqplib represents it (`places` decimal digits, signed `digits`).
 * @example const minusOneAndAHalf: AmqpDecimal = { '!': 'decimal', value: { places: 1, digits: -15 } };
 */
export interface AmqpDecimal {
  readonly '!': 'decimal';
  readonly value: { readonly places: number; readonly digits: number };
}

/** A timestamp (seconds since the epoch) as amqplib represents it. */
export interface AmqpTimestamp {
  readonly '!': 'timestamp';
  readonly value: number;
}

class FieldTableError extends Error {}

/** A 64-bit integer as a number when exact, else as a BigInt (never silently rounded). */
function int64(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

class Reader {
  offset = 0;
  readonly #buffer: Buffer;

  constructor(buffer: Buffer) {
    this.#buffer = buffer;
  }

  need(bytes: number): void {
    if (this.offset + bytes > this.#buffer.length) {
      throw new FieldTableError(`the field table is truncated at byte ${this.offset}`);
    }
  }

  value(depth: number): unknown {
    this.need(1);
    const buffer = this.#buffer;
    const tag = String.fromCharCode(buffer[this.offset++] as number);
    const at = this.offset;
    switch (tag) {
      case 't':
        this.need(1);
        this.offset += 1;
        return buffer[at] !== 0;
      case 'b':
        this.need(1);
        this.offset += 1;
        return buffer.readInt8(at);
      case 'B':
        this.need(1);
        this.offset += 1;
        return buffer.readUInt8(at);
      case 's': // RabbitMQ's signed 16-bit
      case 'U': // py-amqp's signed 16-bit
        this.need(2);
        this.offset += 2;
        return buffer.readInt16BE(at);
      case 'u':
        this.need(2);
        this.offset += 2;
        return buffer.readUInt16BE(at);
      case 'I':
        this.need(4);
        this.offset += 4;
        return buffer.readInt32BE(at);
      case 'i':
        this.need(4);
        this.offset += 4;
        return buffer.readUInt32BE(at);
      case 'l': // RabbitMQ's signed 64-bit
      case 'L': // py-amqp's signed 64-bit (struct '>q')
        this.need(8);
        this.offset += 8;
        return int64(buffer.readBigInt64BE(at));
      case 'f':
        this.need(4);
        this.offset += 4;
        return buffer.readFloatBE(at);
      case 'd':
        this.need(8);
        this.offset += 8;
        return buffer.readDoubleBE(at);
      case 'D': {
        // py-amqp writes the digits signed (struct '>Bi'); so does the 0-9-1 errata.
        this.need(5);
        this.offset += 5;
        const decimal: AmqpDecimal = {
          '!': 'decimal',
          value: { places: buffer[at] as number, digits: buffer.readInt32BE(at + 1) },
        };
        return decimal;
      }
      case 'T': {
        this.need(8);
        this.offset += 8;
        const timestamp: AmqpTimestamp = { '!': 'timestamp', value: Number(buffer.readBigUInt64BE(at)) };
        return timestamp;
      }
      case 'S':
      case 'x': {
        this.need(4);
        const length = buffer.readUInt32BE(at);
        this.offset += 4;
        this.need(length);
        this.offset += length;
        return tag === 'S'
          ? buffer.toString('utf8', at + 4, at + 4 + length)
          : Buffer.from(buffer.subarray(at + 4, at + 4 + length));
      }
      case 'V':
        return null;
      case 'F':
      case 'A': {
        if (depth >= MAX_TABLE_DEPTH) throw new FieldTableError(`tables nested deeper than ${MAX_TABLE_DEPTH} levels`);
        this.need(4);
        const length = buffer.readUInt32BE(at);
        this.offset += 4;
        this.need(length);
        const end = this.offset + length;
        return tag === 'F' ? this.table(end, depth + 1) : this.array(end, depth + 1);
      }
      default:
        throw new FieldTableError(
          `unknown field type tag 0x${(buffer[at - 1] as number).toString(16).padStart(2, '0')} ("${tag}")`,
        );
    }
  }

  table(end: number, depth: number): Record<string, unknown> {
    const table: Record<string, unknown> = {};
    while (this.offset < end) {
      this.need(1);
      const keyLength = this.#buffer[this.offset] as number;
      this.offset += 1;
      this.need(keyLength);
      const key = this.#buffer.toString('utf8', this.offset, this.offset + keyLength);
      this.offset += keyLength;
      // defineProperty, so that a "__proto__" key is a key and not a prototype.
      Object.defineProperty(table, key, {
        value: this.value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    if (this.offset !== end) throw new FieldTableError('a field overruns its table');
    return table;
  }

  array(end: number, depth: number): unknown[] {
    const array: unknown[] = [];
    while (this.offset < end) array.push(this.value(depth));
    if (this.offset !== end) throw new FieldTableError('a field overruns its array');
    return array;
  }
}

/**
 * Decodes the body of a field table (without its 4-byte length); throws a descriptive error on what cannot be read.
 * @example decodeFieldTable(Buffer.from([1, 0x6e, 0x4c, 0, 0, 0, 1, 0, 0, 0, 0])); // { n: 4294967296 }
 */
export function decodeFieldTable(body: Buffer): Record<string, unknown> {
  const reader = new Reader(body);
  return reader.table(body.length, 1);
}

/** The basic-properties flags, in wire order, with how each is read. */
const SHORT_STRINGS = new Map<number, string>([
  [0x8000, 'contentType'],
  [0x4000, 'contentEncoding'],
  [0x0400, 'correlationId'],
  [0x0200, 'replyTo'],
  [0x0100, 'expiration'],
  [0x0080, 'messageId'],
  [0x0020, 'type'],
  [0x0010, 'userId'],
  [0x0008, 'appId'],
  [0x0004, 'clusterId'],
]);

/**
 * Decodes a content header's basic properties (flags and fields), as amqplib's own decoder does, except that
 * the headers use `decodeFieldTable` and a header table that still cannot be read leaves `headers` empty and
 * sets `UNREADABLE_HEADERS` instead of throwing. Only a frame too short for its own lengths throws.
 * @example decodeBasicProperties(Buffer.from([0x80, 0, 4, 0x74, 0x65, 0x78, 0x74])).contentType; // 'text'
 */
export function decodeBasicProperties(buffer: Buffer): Record<string | symbol, unknown> {
  const flags = buffer.readUInt16BE(0);
  const fields: Record<string | symbol, unknown> = {};
  let offset = 2;
  const shortString = (): string => {
    const length = buffer.readUInt8(offset);
    if (offset + 1 + length > buffer.length) throw new RangeError('the content header is truncated');
    const value = buffer.toString('utf8', offset + 1, offset + 1 + length);
    offset += 1 + length;
    return value;
  };
  for (let bit = 0x8000; bit >= 0x0004; bit >>>= 1) {
    if ((flags & bit) === 0) continue;
    const name = SHORT_STRINGS.get(bit);
    if (name !== undefined) {
      fields[name] = shortString();
    } else if (bit === 0x2000) {
      const length = buffer.readUInt32BE(offset);
      const body = buffer.subarray(offset + 4, offset + 4 + length);
      if (body.length !== length) throw new RangeError('the content header is truncated');
      offset += 4 + length;
      try {
        fields.headers = decodeFieldTable(body);
      } catch (error) {
        if (!(error instanceof FieldTableError) && !(error instanceof RangeError)) throw error;
        fields.headers = {};
        const unreadable: UnreadableHeaders = { reason: error.message, raw: Buffer.from(body) };
        fields[UNREADABLE_HEADERS] = unreadable;
      }
    } else if (bit === 0x1000) {
      fields.deliveryMode = buffer.readUInt8(offset++);
    } else if (bit === 0x0800) {
      fields.priority = buffer.readUInt8(offset++);
    } else if (bit === 0x0040) {
      fields.timestamp = Number(buffer.readBigUInt64BE(offset));
      offset += 8;
    }
  }
  return fields;
}
