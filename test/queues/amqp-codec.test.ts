/**
 * Issue 10 items 2, 3, 4 and 6 (low) without a broker: the field-table decoder reads every type tag RabbitMQ
 * and py-amqp write, headers go out with interoperable explicit types, and what AMQP cannot carry is refused
 * before it reaches a channel. Bytes are built by hand where amqplib cannot write them (py-amqp's `L`).
 */
import { describe, expect, it } from 'vitest';
import type { MicroservicesError } from '../../src/errors.js';
import { fromAmqpProperties, toPublishOptions } from '../../src/queues/transports/amqp/codec.js';
import { decodeBasicProperties, UNREADABLE_HEADERS } from '../../src/queues/transports/amqp/field-decode.js';
import { toAmqpHeaders } from '../../src/queues/transports/amqp/field-encode.js';
import { checkAmqpName } from '../../src/queues/transports/amqp/topology.js';
import { installAmqpWirePatch } from '../../src/queues/transports/amqp/wire.js';
import type { MessageProperties } from '../../src/queues/transports/transport.js';
import { decodeWithAmqplib, encodeWithAmqplib, wireRoundTrip } from './helpers/amqp-wire.js';

/** One table entry: key, tag, value bytes. */
function entry(key: string, tag: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([key.length]), Buffer.from(key), Buffer.from(tag), value]);
}
function be(bytes: number, write: (buffer: Buffer) => void): Buffer {
  const buffer = Buffer.alloc(bytes);
  write(buffer);
  return buffer;
}
/** Basic properties with a headers table, then a messageId after it (to prove decoding goes on past the table). */
function propertiesWith(table: Buffer): Buffer {
  const flags = be(2, (b) => b.writeUInt16BE(0x2000 | 0x0080));
  const length = be(4, (b) => b.writeUInt32BE(table.length));
  return Buffer.concat([flags, length, table, Buffer.from([3]), Buffer.from('m-1')]);
}
function headersOf(bytes: Buffer): Record<string, unknown> {
  return decodeBasicProperties(bytes).headers as Record<string, unknown>;
}
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as MicroservicesError).code;
  }
  return undefined;
}

describe('AMQP field tables: decoding what RabbitMQ and py-amqp send (issue 10 item 2)', () => {
  it("installs the wire patch on amqplib's connection", () => {
    expect(installAmqpWirePatch()).toBe(true);
  });

  it("reads py-amqp's L (an int beyond 2^31, as kombu writes it), which amqplib alone cannot", () => {
    const table = entry(
      'big',
      'L',
      be(8, (b) => b.writeBigInt64BE(2n ** 40n)),
    );
    expect(() => decodeWithAmqplib(propertiesWith(table))).toThrow(/Unexpected type tag "L"/);
    expect(headersOf(propertiesWith(table))).toEqual({ big: 2 ** 40 });
  });

  it('reads every 0-9-1 tag: t b B s U u I i l L f d D S x A T F V, with signed decimals and exact 64-bit values', () => {
    const table = Buffer.concat([
      entry('t', 't', Buffer.from([1])),
      entry(
        'b',
        'b',
        be(1, (b) => b.writeInt8(-5)),
      ),
      entry('B', 'B', Buffer.from([250])),
      entry(
        's',
        's',
        be(2, (b) => b.writeInt16BE(-300)),
      ),
      entry(
        'U',
        'U',
        be(2, (b) => b.writeInt16BE(-301)),
      ),
      entry(
        'u',
        'u',
        be(2, (b) => b.writeUInt16BE(60_000)),
      ),
      entry(
        'I',
        'I',
        be(4, (b) => b.writeInt32BE(-70_000)),
      ),
      entry(
        'i',
        'i',
        be(4, (b) => b.writeUInt32BE(4_000_000_000)),
      ),
      entry(
        'l',
        'l',
        be(8, (b) => b.writeBigInt64BE(-(2n ** 40n))),
      ),
      entry(
        'L',
        'L',
        be(8, (b) => b.writeBigInt64BE(2n ** 62n)),
      ),
      entry(
        'f',
        'f',
        be(4, (b) => b.writeFloatBE(1.5)),
      ),
      entry(
        'd',
        'd',
        be(8, (b) => b.writeDoubleBE(-2.25)),
      ),
      entry('D', 'D', Buffer.concat([Buffer.from([1]), be(4, (b) => b.writeInt32BE(-15))])),
      entry('S', 'S', Buffer.concat([be(4, (b) => b.writeUInt32BE(3)), Buffer.from('hé')])),
      entry('x', 'x', Buffer.concat([be(4, (b) => b.writeUInt32BE(2)), Buffer.from([0, 255])])),
      entry(
        'A',
        'A',
        Buffer.concat([
          be(4, (b) => b.writeUInt32BE(6)),
          Buffer.from('V'),
          Buffer.from('I'),
          be(4, (b) => b.writeInt32BE(7)),
        ]),
      ),
      entry(
        'T',
        'T',
        be(8, (b) => b.writeBigUInt64BE(1_700_000_000n)),
      ),
      entry(
        'F',
        'F',
        Buffer.concat([be(4, (b) => b.writeUInt32BE(3)), Buffer.from([1]), Buffer.from('k'), Buffer.from('V')]),
      ),
      entry('V', 'V', Buffer.alloc(0)),
    ]);
    expect(headersOf(propertiesWith(table))).toEqual({
      t: true,
      b: -5,
      B: 250,
      s: -300,
      U: -301,
      u: 60_000,
      I: -70_000,
      i: 4_000_000_000,
      l: -(2 ** 40),
      L: 2n ** 62n,
      f: 1.5,
      d: -2.25,
      D: { '!': 'decimal', value: { places: 1, digits: -15 } },
      S: 'hé',
      x: Buffer.from([0, 255]),
      A: [null, 7],
      T: { '!': 'timestamp', value: 1_700_000_000 },
      F: { k: null },
      V: null,
    });
  });

  it('marks a header table it cannot read instead of throwing, keeps the raw bytes, and reads the properties after it', () => {
    const table = Buffer.concat([
      entry(
        'ok',
        'I',
        be(4, (b) => b.writeInt32BE(1)),
      ),
      entry('bad', 'Z', Buffer.from([1, 2])),
    ]);
    const properties = decodeBasicProperties(propertiesWith(table));
    expect(properties.headers).toEqual({});
    expect(properties.messageId).toBe('m-1');
    const unreadable = properties[UNREADABLE_HEADERS] as { reason: string; raw: Buffer };
    expect(unreadable.reason).toMatch(/unknown field type tag 0x5a \("Z"\)/);
    expect(unreadable.raw.equals(table)).toBe(true);
  });

  it('bounds nesting, reads "__proto__" as a plain key, and refuses a field that overruns its table', () => {
    let nested = Buffer.from('V');
    for (let depth = 0; depth < 40; depth++) {
      const inner = Buffer.concat([Buffer.from([1]), Buffer.from('n'), nested]);
      nested = Buffer.concat([Buffer.from('F'), be(4, (b) => b.writeUInt32BE(inner.length)), inner]);
    }
    const deep = decodeBasicProperties(propertiesWith(Buffer.concat([Buffer.from([1]), Buffer.from('n'), nested])));
    expect((deep[UNREADABLE_HEADERS] as { reason: string }).reason).toMatch(/nested deeper/);

    const proto = headersOf(
      propertiesWith(entry('__proto__', 'S', Buffer.concat([be(4, (b) => b.writeUInt32BE(1)), Buffer.from('x')]))),
    );
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);

    const overrun = Buffer.concat([
      Buffer.from([1]),
      Buffer.from('s'),
      Buffer.from('S'),
      be(4, (b) => b.writeUInt32BE(99)),
    ]);
    expect(decodeBasicProperties(propertiesWith(overrun))[UNREADABLE_HEADERS]).toBeDefined();
  });
});

describe('AMQP headers: explicit interoperable types (issue 10 item 3)', () => {
  it('writes integers as I or l (never b or s, which py-amqp misreads), floats as d', () => {
    const bytes = encodeWithAmqplib(toPublishOptions({ headers: { small: -5, mid: 200, big: 2 ** 40, half: 0.5 } }));
    const text = bytes.toString('latin1');
    expect(text).toContain('\u0005smallI');
    expect(text).toContain('\u0003midI');
    expect(text).toContain('\u0003bigl');
    expect(text).toContain('\u0004halfd');
    expect(text).not.toMatch(/small[bs]|mid[bs]/);
    expect(
      wireRoundTrip(toPublishOptions({ headers: { small: -5, mid: 200, big: 2 ** 40, half: 0.5 } })).headers,
    ).toEqual({
      small: -5,
      mid: 200,
      big: 2 ** 40,
      half: 0.5,
    });
  });

  it('round-trips nested tables and arrays, Dates (whole seconds), Buffers, BigInts, a "!" key and received decimals', () => {
    const headers = {
      nested: { list: [1, 'two', null, true, { deep: -7 }], empty: {} },
      when: new Date(1_700_000_000_500),
      bytes: Buffer.from([1, 2, 3]),
      huge: 2n ** 60n,
      bang: { '!': 'not a type', value: 1 },
      decimal: { '!': 'decimal', value: { places: 2, digits: -150 } },
    };
    expect(wireRoundTrip(toPublishOptions({ headers })).headers).toEqual({
      nested: { list: [1, 'two', null, true, { deep: -7 }], empty: {} },
      when: { '!': 'timestamp', value: 1_700_000_000 },
      bytes: Buffer.from([1, 2, 3]),
      huge: 2n ** 60n,
      bang: { '!': 'not a type', value: 1 },
      decimal: { '!': 'decimal', value: { places: 2, digits: -150 } },
    });
  });
});

describe('AMQP properties that cannot be encoded are refused up front (issue 10 item 4)', () => {
  const cases: Array<[string, MessageProperties]> = [
    ['a function header', { headers: { f: () => 1 } }],
    ['a symbol header', { headers: { s: Symbol('s') } }],
    ['a BigInt beyond 64 bits', { headers: { n: 2n ** 64n } }],
    ['a Map', { headers: { m: new Map() } }],
    ['an invalid Date', { headers: { d: new Date(Number.NaN) } }],
    ['a header key over 255 bytes', { headers: { ['k'.repeat(256)]: 1 } }],
    ['a nested key over 255 bytes', { headers: { t: { ['k'.repeat(300)]: 1 } } }],
    ['priority 1000', { priority: 1000 }],
    ['priority -1', { priority: -1 }],
    ['priority 1.5', { priority: 1.5 }],
    ['expiration NaN', { expiration: Number.NaN }],
    ['expiration -1', { expiration: -1 }],
    ['a numeric messageId', { messageId: 5 as unknown as string }],
    ['a contentType over 255 bytes', { contentType: 'x'.repeat(256) }],
    ['headers over 60 KiB', { headers: { big: 'x'.repeat(70_000) } }],
  ];
  it.each(cases)('%s → MS_QUEUE_UNENCODABLE', (_what, properties) => {
    expect(codeOf(() => toPublishOptions(properties))).toBe('MS_QUEUE_UNENCODABLE');
  });

  it('refuses a circular header without overflowing the stack', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(codeOf(() => toAmqpHeaders({ loop }))).toBe('MS_QUEUE_UNENCODABLE');
  });

  it('keeps expiration 0 and whole-number properties as they are', () => {
    const received = fromAmqpProperties(
      wireRoundTrip(toPublishOptions({ expiration: 0, priority: 255 })) as unknown as Parameters<
        typeof fromAmqpProperties
      >[0],
    );
    expect(received).toMatchObject({ expiration: 0, priority: 255 });
  });

  it('leaves utf-8 off the wire on JSON only, and reads JSON without an encoding as utf-8 (issue 16)', () => {
    const roundTrip = (properties: Parameters<typeof toPublishOptions>[0]) =>
      fromAmqpProperties(
        wireRoundTrip(toPublishOptions(properties)) as unknown as Parameters<typeof fromAmqpProperties>[0],
      );
    expect(toPublishOptions({ contentType: 'application/json', contentEncoding: 'utf-8' }).contentEncoding).toBe(
      undefined,
    );
    expect(roundTrip({ contentType: 'application/json', contentEncoding: 'utf-8' })).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
    });
    // Any other encoding, and utf-8 on anything but JSON, is sent as it is.
    expect(toPublishOptions({ contentType: 'application/json', contentEncoding: 'utf-16le' }).contentEncoding).toBe(
      'utf-16le',
    );
    expect(toPublishOptions({ contentType: 'text/plain', contentEncoding: 'utf-8' }).contentEncoding).toBe('utf-8');
    expect(toPublishOptions({ contentType: 'application/data', contentEncoding: 'binary' }).contentEncoding).toBe(
      'binary',
    );
    expect(roundTrip({ contentType: 'text/plain' }).contentEncoding).toBeUndefined();
    // Still checked before it is dropped.
    expect(
      codeOf(() => toPublishOptions({ contentType: 'application/json', contentEncoding: 5 as unknown as string })),
    ).toBe('MS_QUEUE_UNENCODABLE');
  });
});

describe('AMQP names (issue 10, low)', () => {
  it('refuses names over 255 bytes and amq.-prefixed names with MS_QUEUE_INVALID_NAME', () => {
    expect(codeOf(() => checkAmqpName('queue', 'q'.repeat(256)))).toBe('MS_QUEUE_INVALID_NAME');
    expect(codeOf(() => checkAmqpName('queue', 'é'.repeat(128)))).toBe('MS_QUEUE_INVALID_NAME');
    expect(codeOf(() => checkAmqpName('queue', 'amq.jobs'))).toBe('MS_QUEUE_INVALID_NAME');
    expect(codeOf(() => checkAmqpName('queue', 'q'.repeat(255)))).toBeUndefined();
    expect(codeOf(() => checkAmqpName('exchange', 'amq.topic'))).toBeUndefined();
  });
});
