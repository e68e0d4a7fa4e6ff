/**
 * Header values with explicit AMQP field types that RabbitMQ, py-amqp (kombu, Celery) and amqplib all read
 * the same way, checked before anything is written to a channel.
 *
 * amqplib picks the narrowest integer type: `b` for -128..127 (py-amqp reads `b` as unsigned, so -5 arrives
 * as 251) and `s` for 128..32767 (py-amqp reads `s` as a short string: UnicodeDecodeError in the consumer).
 * Here integers are always `I` (signed 32-bit) or `l` (signed 64-bit), other numbers `d`, strings `S`,
 * booleans `t`, Dates `T` (whole seconds), Buffers `x`, plain objects `F`, arrays `A`, null `V`. The values
 * are handed to amqplib in its `{'!': type, value}` notation, so its encoder writes exactly those tags.
 *
 * What AMQP cannot carry is refused with `MS_QUEUE_UNENCODABLE` naming the header: a function or symbol, a
 * BigInt outside 64 bits, a Map or class instance, a key over 255 bytes, a cycle or nesting past
 * `MAX_TABLE_DEPTH`, a table larger than amqplib's 64 KiB encoding buffer.
 */
import { ERRORS } from '../../../errors.js';
import { MAX_TABLE_DEPTH } from './field-decode.js';

/** amqplib encodes the headers into a 64 KiB scratch buffer; other properties need room too. */
export const MAX_HEADER_TABLE_BYTES = 60 * 1024;

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

interface Encoding {
  /**
   * An upper bound of the encoded size (strings count 3 bytes per UTF-16 unit, so the common case never
   * measures UTF-8); measured exactly only when the bound passes the limit.
   */
  bytes: number;
  exact: boolean;
}

function stringBytes(value: string, encoding: Encoding): number {
  return encoding.exact ? Buffer.byteLength(value) : value.length * 3;
}

/** A header's path for error messages, built only when there is an error. */
function pathOf(prefix: string, key: string | number): string {
  if (typeof key === 'number') return `${prefix}[${key}]`;
  return prefix === '' ? key : `${prefix}.${key}`;
}

function refuse(path: string, why: string): never {
  throw ERRORS.MS_QUEUE_UNENCODABLE(`The header "${path}" cannot be sent over AMQP: ${why}`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A decimal or timestamp as `amqp-field-decode.ts` (and amqplib) return them, so a received header goes back out as it came. */
function amqpTagged(value: Record<string, unknown>, path: () => string, encoding: Encoding): unknown {
  const tag = value['!'];
  if (tag === 'decimal') {
    const inner = value.value as { places?: unknown; digits?: unknown } | null;
    const places = inner?.places;
    const digits = inner?.digits;
    if (typeof places !== 'number' || !Number.isInteger(places) || places < 0 || places > 255)
      refuse(path(), 'a decimal needs places 0..255');
    if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < INT32_MIN || digits > INT32_MAX)
      refuse(path(), 'a decimal needs signed 32-bit digits');
    encoding.bytes += 5;
    // amqplib writes the digits unsigned; the same 32 bits carry the signed value.
    return { '!': 'decimal', value: { places, digits: digits >>> 0 } };
  }
  if (tag === 'timestamp') return timestamp(value.value, path, encoding);
  return undefined;
}

function timestamp(seconds: unknown, path: () => string, encoding: Encoding): unknown {
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0)
    refuse(path(), 'a timestamp needs whole non-negative seconds');
  encoding.bytes += 8;
  return { '!': 'timestamp', value: seconds };
}

function encodeValue(value: unknown, prefix: string, key: string | number, depth: number, encoding: Encoding): unknown {
  encoding.bytes += 1; // the type tag
  switch (typeof value) {
    case 'string':
      encoding.bytes += 4 + stringBytes(value, encoding);
      return value;
    case 'boolean':
      encoding.bytes += 1;
      return value;
    case 'number':
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
        encoding.bytes += 4;
        return { '!': 'int', value };
      }
      encoding.bytes += 8;
      return Number.isSafeInteger(value) ? { '!': 'long', value } : { '!': 'double', value };
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX)
        refuse(pathOf(prefix, key), 'a BigInt outside the signed 64-bit range');
      encoding.bytes += 8;
      return { '!': 'long', value };
    case 'undefined':
      // Only reached inside an array (a table leaves undefined values out): null, as JSON does.
      return null;
    case 'object':
      return value === null ? null : encodeObject(value, prefix, key, depth, encoding);
    default:
      return refuse(pathOf(prefix, key), `a ${typeof value} has no AMQP field type`);
  }
}

function encodeObject(value: object, prefix: string, key: string | number, depth: number, encoding: Encoding): unknown {
  const path = (): string => pathOf(prefix, key);
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) refuse(path(), 'an invalid Date');
    return timestamp(Math.floor(ms / 1000), path, encoding);
  }
  if (value instanceof Uint8Array) {
    encoding.bytes += 4 + value.byteLength;
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (depth >= MAX_TABLE_DEPTH) refuse(path(), `nested deeper than ${MAX_TABLE_DEPTH} levels (or circular)`);
  if (Array.isArray(value)) {
    encoding.bytes += 4;
    const inner = path();
    const array = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      array[index] = encodeValue(value[index], inner, index, depth + 1, encoding);
    }
    return array;
  }
  if (!isPlainObject(value)) refuse(path(), `a ${value.constructor?.name ?? 'non-plain object'} is not a plain object`);
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '!')) {
    const tagged = amqpTagged(record, path, encoding);
    if (tagged !== undefined) return tagged;
  }
  encoding.bytes += 4;
  const table = encodeTable(record, path(), depth + 1, encoding);
  // A table with a "!" key would be taken for amqplib's type notation: say explicitly that it is a table.
  return Object.hasOwn(table, '!') ? { '!': 'object', value: table } : table;
}

function encodeTable(
  table: Readonly<Record<string, unknown>>,
  prefix: string,
  depth: number,
  encoding: Encoding,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in table) {
    if (!Object.hasOwn(table, key)) continue;
    const value = table[key];
    if (value === undefined) continue;
    const keyBytes = key.length <= 85 && !encoding.exact ? key.length * 3 : Buffer.byteLength(key);
    if (keyBytes > 255 && Buffer.byteLength(key) > 255) {
      refuse(`${pathOf(prefix, key).slice(0, 40)}…`, `a key of ${Buffer.byteLength(key)} bytes (the limit is 255)`);
    }
    encoding.bytes += 1 + keyBytes;
    const encoded = encodeValue(value, prefix, key, depth, encoding);
    // defineProperty only for "__proto__", which plain assignment would take for the prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: encoded, enumerable: true, writable: true, configurable: true });
    else out[key] = encoded;
  }
  return out;
}

/**
 * The headers in amqplib's explicit-type notation; throws `MS_QUEUE_UNENCODABLE` for what AMQP cannot carry.
 * @example toAmqpHeaders({ attempt: 200 }); // { attempt: { '!': 'int', value: 200 } }: tag I, not s
 */
export function toAmqpHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const estimate: Encoding = { bytes: 0, exact: false };
  const table = encodeTable(headers, '', 1, estimate);
  if (estimate.bytes <= MAX_HEADER_TABLE_BYTES) return table;
  const exact: Encoding = { bytes: 0, exact: true };
  encodeTable(headers, '', 1, exact);
  if (exact.bytes > MAX_HEADER_TABLE_BYTES) {
    throw ERRORS.MS_QUEUE_UNENCODABLE(
      `The headers take ${exact.bytes} bytes encoded; AMQP properties must fit in ${MAX_HEADER_TABLE_BYTES} bytes`,
    );
  }
  return table;
}
