/** Payload encoding and decoding, including the kombu/Celery conventions Python producers use. */

import { brotliCompressSync, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_INFLATED_BYTES } from '../../src/queues/body-decoding.js';
import { decodePayload, encodePayload, PayloadDecodeError } from '../../src/queues/codec.js';

describe('encodePayload (kombu defaults)', () => {
  it('sends strings as text/plain utf-8, bytes as application/data binary, the rest as JSON', () => {
    expect(encodePayload('héllo')).toEqual({
      body: Buffer.from('héllo'),
      contentType: 'text/plain',
      contentEncoding: 'utf-8',
    });
    expect(encodePayload(Buffer.from([1, 2]))).toMatchObject({
      contentType: 'application/data',
      contentEncoding: 'binary',
    });
    expect(encodePayload(new Uint8Array([3, 4])).body).toEqual(Buffer.from([3, 4]));
    for (const value of [0, 1.5, null, true, [1], { a: 1 }]) {
      const encoded = encodePayload(value);
      expect(encoded.contentType).toBe('application/json');
      expect(encoded.body.toString()).toBe(JSON.stringify(value));
    }
  });

  it('keeps an explicit content type for raw strings and bytes', () => {
    expect(encodePayload('<a/>', { contentType: 'application/xml' }).contentType).toBe('application/xml');
    expect(encodePayload(Buffer.from('{}'), { contentType: 'application/json' }).contentType).toBe('application/json');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => encodePayload(undefined)).toThrow(expect.objectContaining({ code: 'MS_QUEUE_UNENCODABLE' }));
    expect(() => encodePayload(() => 1)).toThrow(expect.objectContaining({ code: 'MS_QUEUE_UNENCODABLE' }));
  });
});

describe('decodePayload', () => {
  const json = (text: string, contentType = 'application/json'): unknown =>
    decodePayload(Buffer.from(text), { contentType, contentEncoding: 'utf-8' });

  it('decodes every JSON value, numbers and null included (seed bug B14)', () => {
    expect(json('0')).toBe(0);
    expect(json('-2.5')).toBe(-2.5);
    expect(json('null')).toBeNull();
    expect(json('false')).toBe(false);
    expect(json('"s"')).toBe('s');
    expect(json('[1,{"a":null}]')).toEqual([1, { a: null }]);
  });

  it('accepts parameters and +json media types', () => {
    expect(json('{"a":1}', 'application/json; charset=utf-8')).toEqual({ a: 1 });
    expect(json('{"a":1}', 'Application/JSON')).toEqual({ a: 1 });
    expect(json('{"a":1}', 'application/vnd.example+json')).toEqual({ a: 1 });
  });

  it('drops __proto__ keys instead of letting them reach the handler', () => {
    const decoded = json('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(decoded).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops the keys however they are spelt: escaped, constructor.prototype, after a byte-order mark', () => {
    expect(json('{"\\u005f_proto__":{"polluted":true},"a":1}')).toEqual({ a: 1 });
    expect(json('{"constructor":{"prototype":{"polluted":true}},"a":1}')).toEqual({ a: 1 });
    expect(json('\uFEFF{"__proto__":{"polluted":true},"a":1}')).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('decodes text by its encoding and binary to a Buffer', () => {
    expect(decodePayload(Buffer.from('ok'), { contentType: 'text/plain', contentEncoding: 'utf-8' })).toBe('ok');
    expect(decodePayload(Buffer.from([0xe9]), { contentType: 'text/plain', contentEncoding: 'latin-1' })).toBe('é');
    const bytes = Buffer.from([0, 255]);
    expect(decodePayload(bytes, { contentType: 'application/data', contentEncoding: 'binary' })).toBe(bytes);
    expect(decodePayload(bytes, { contentType: 'application/octet-stream' })).toBe(bytes);
    expect(decodePayload(bytes, { contentType: 'application/x-msgpack', contentEncoding: 'binary' })).toBe(bytes);
  });

  it('gives a string for a message without content type (RabbitMQ UI), or the bytes when they are not UTF-8', () => {
    expect(decodePayload(Buffer.from('typed by hand'), {})).toBe('typed by hand');
    const bytes = Buffer.from([0xff, 0xfe]);
    expect(decodePayload(bytes, {})).toBe(bytes);
    expect(decodePayload(Buffer.from('x'), { contentType: 'application/x-custom', contentEncoding: 'utf-8' })).toBe(
      'x',
    );
  });

  it('decodes a Celery protocol 2 task body as Python sends it', () => {
    const body = Buffer.from('[[2, 3], {"retries": 1}, {"callbacks": null, "errbacks": null, "chain": null}]');
    const decoded = decodePayload(body, { contentType: 'application/json', contentEncoding: 'utf-8' });
    expect(decoded).toEqual([[2, 3], { retries: 1 }, { callbacks: null, errbacks: null, chain: null }]);
  });

  it('throws PayloadDecodeError for broken JSON, invalid UTF-8 text, pickle and unknown types', () => {
    const cases: Array<[Buffer, { contentType?: string; contentEncoding?: string }]> = [
      [Buffer.from('{nope'), { contentType: 'application/json' }],
      [Buffer.from([0xff]), { contentType: 'text/plain', contentEncoding: 'utf-8' }],
      [Buffer.from([0x80, 0x04]), { contentType: 'application/x-python-serialize', contentEncoding: 'binary' }],
      [Buffer.from('x'), { contentType: 'application/x-unknown' }],
    ];
    for (const [body, properties] of cases) {
      expect(() => decodePayload(body, properties)).toThrow(PayloadDecodeError);
    }
  });

  it('round-trips any JSON value through encode and decode', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        if (typeof value === 'string') return;
        // __proto__ and constructor keys are removed on purpose (see the prototype-pollution test above).
        if (/"(__proto__|constructor)":/.test(JSON.stringify(value))) return;
        const encoded = encodePayload(value);
        const decoded = decodePayload(encoded.body, encoded);
        expect(decoded).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('issue 10 item 9: the declared charset, strictly', () => {
  const decode = (body: Buffer, contentType: string, contentEncoding?: string): unknown =>
    decodePayload(body, { contentType, ...(contentEncoding === undefined ? {} : { contentEncoding }) });

  it('decodes JSON in utf-16le, utf-16be, utf-16 with a BOM, latin-1 and ascii as kombu does', () => {
    const value = { name: 'café' };
    const text = JSON.stringify(value);
    expect(decode(Buffer.from(text, 'utf16le'), 'application/json', 'utf-16le')).toEqual(value);
    expect(decode(Buffer.from(text, 'utf16le').swap16(), 'application/json', 'utf-16be')).toEqual(value);
    const bom = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    expect(decode(bom, 'application/json', 'utf-16')).toEqual(value);
    expect(decode(Buffer.from(text, 'latin1'), 'application/json', 'iso-8859-1')).toEqual(value);
    // ISO-8859-1 is not windows-1252: 0x80 is U+0080, not the euro sign.
    expect(decode(Buffer.from([0x80]), 'text/plain', 'latin-1')).toBe('\u0080');
    expect(decode(Buffer.from('{"a":1}'), 'application/json', 'ascii')).toEqual({ a: 1 });
  });

  it('decodes text/plain in UTF-16 (issue 10 item 10)', () => {
    expect(decode(Buffer.from('héllo', 'utf16le'), 'text/plain', 'utf-16le')).toBe('héllo');
  });

  it('refuses invalid bytes instead of turning them into U+FFFD', () => {
    const invalid = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
    expect(() => decode(invalid, 'application/json', 'utf-8')).toThrow(PayloadDecodeError);
    expect(() => decode(invalid, 'application/json')).toThrow(/not valid utf-8/);
    expect(() => decode(Buffer.from([0xe9]), 'application/json', 'ascii')).toThrow(/not valid ascii/);
    expect(() => decode(Buffer.from([0x41]), 'application/json', 'utf-16le')).toThrow(PayloadDecodeError);
    expect(() => decode(Buffer.from('1'), 'application/json', 'koi8-x')).toThrow(/unsupported content encoding/);
  });
});

describe('issue 10 item 10: kombu compression', () => {
  const payload = { task: 'add', args: [1, 2], text: 'x'.repeat(500) };
  const json = Buffer.from(JSON.stringify(payload));

  it("decodes compression='zlib' (header application/x-gzip) and brotli", () => {
    const properties = (compression: string) => ({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { compression },
    });
    expect(decodePayload(deflateSync(json), properties('application/x-gzip'))).toEqual(payload);
    expect(decodePayload(brotliCompressSync(json), properties('application/x-brotli'))).toEqual(payload);
  });

  it('dead-letters bzip2 with the true reason, not "not valid JSON"', () => {
    const properties = { contentType: 'application/json', headers: { compression: 'application/x-bz2' } };
    expect(() => decodePayload(Buffer.from('BZh91AY&SY'), properties)).toThrow(/bzip2 compression .* not supported/);
  });

  it('bounds the inflated size (a zip bomb is refused)', () => {
    const bomb = deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1));
    const properties = { contentType: 'application/json', headers: { compression: 'application/x-gzip' } };
    expect(() => decodePayload(bomb, properties)).toThrow(/inflates to more than/);
  });

  it('says when the compressed bytes are broken', () => {
    const properties = { contentType: 'application/json', headers: { compression: 'zlib' } };
    expect(() => decodePayload(Buffer.from('not zlib'), properties)).toThrow(/not valid zlib data/);
  });
});

describe('issue 10 low: unencodable payloads and big integers', () => {
  it('rejects BigInt, circular structures and throwing toJSON with MS_QUEUE_UNENCODABLE, not a raw TypeError', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const payload of [
      { n: 10n },
      circular,
      {
        toJSON: () => {
          throw new Error('no');
        },
      },
    ]) {
      expect(() => encodePayload(payload)).toThrow(expect.objectContaining({ code: 'MS_QUEUE_UNENCODABLE' }));
    }
  });

  it('lets a parseJson hook keep integers past 2^53 exact', () => {
    const body = Buffer.from('{"id":9007199254740993}');
    const properties = { contentType: 'application/json' };
    expect((decodePayload(body, properties) as { id: number }).id).toBe(9007199254740992);
    const parseJson = (text: string): unknown => ({ id: BigInt(/"id":(\d+)/.exec(text)?.[1] ?? '0') });
    expect(decodePayload(body, properties, { parseJson })).toEqual({ id: 9007199254740993n });
  });
});
