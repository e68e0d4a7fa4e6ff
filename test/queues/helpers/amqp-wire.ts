/** amqplib's own property encoder and our decoder, for round trips through the exact wire bytes (no broker). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Options } from 'amqplib';
import { decodeBasicProperties } from '../../../src/queues/transports/amqp/field-decode.js';

const require = createRequire(import.meta.url);
const defs = require(join(dirname(require.resolve('amqplib')), 'lib', 'defs.js')) as {
  encodeProperties(id: number, channel: number, size: number, fields: object): Buffer;
  decode(id: number, buffer: Buffer): Record<string, unknown>;
};

/** The basic-properties bytes (flags and fields) amqplib writes for these publish options. */
export function encodeWithAmqplib(options: Options.Publish): Buffer {
  const { persistent, mandatory, ...fields } = options as Options.Publish & Record<string, unknown>;
  void mandatory;
  const frame = defs.encodeProperties(60, 1, 0, {
    ...fields,
    deliveryMode: persistent === undefined ? undefined : persistent ? 2 : 1,
  });
  // frame header (7) + class, weight, body size (12) ... frame end (1)
  return frame.subarray(7 + 12, frame.length - 1);
}

/** What amqplib's own decoder makes of the bytes (throws where it cannot read them). */
export function decodeWithAmqplib(bytes: Buffer): Record<string, unknown> {
  return defs.decode(60, bytes);
}

/** Encoded by amqplib, decoded by ours: what a consumer of this transport sees. */
export function wireRoundTrip(options: Options.Publish): Record<string | symbol, unknown> {
  return decodeBasicProperties(encodeWithAmqplib(options));
}
