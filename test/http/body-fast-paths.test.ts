/**
 * The request body's fast paths (bench/notes.md, "The zod row"): plain JSON.parse when the text cannot poison a
 * prototype, the bracket count before the nesting scan, the synchronous JSON path, the named JSON parser and the
 * Content-Type memo. Each must refuse exactly what the slow path refuses.
 */
import { Microservice } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { decodeJsonBody, JsonBodyError } from '../../src/http/json.js';
import { parseMediaType, parseMediaTypeCached } from '../../src/http/media-type.js';
import { nestsDeeperThan } from '../../src/internal/json.js';

describe('decodeJsonBody fast paths', () => {
  it('still refuses __proto__ and constructor.prototype, spelt plainly or with \\u escapes', () => {
    const poisoned = [
      '{"__proto__": {"x": 1}}',
      '{"\\u005f\\u005fproto__": {"x": 1}}',
      '{"_\\u005fproto\\u005f_": {"x": 1}}',
      '{"constructor": {"prototype": {"x": 1}}}',
      '{"\\u0063onstructor": {"prototype": {"x": 1}}}',
    ];
    for (const text of poisoned) expect(() => decodeJsonBody(text, 64), text).toThrow(JsonBodyError);
    const removed = decodeJsonBody('{"a": 1, "\\u005f_proto__": {"x": 1}}', 64, 'remove') as Record<string, unknown>;
    expect(Object.keys(removed)).toEqual(['a']);
  });

  it('parses ordinary text, with escapes, a byte-order mark and the words in values', () => {
    expect(decodeJsonBody('{"a": "line\\nnext", "b": [1, 2]}', 64)).toEqual({ a: 'line\nnext', b: [1, 2] });
    expect(decodeJsonBody('\ufeff{"a": 1}', 64)).toEqual({ a: 1 });
    expect(decodeJsonBody('{"note": "a constructor of __proto__ things"}', 64)).toEqual({
      note: 'a constructor of __proto__ things',
    });
  });

  it('keeps the JSON error messages of the slow path', () => {
    expect(() => decodeJsonBody('{"a": ', 64)).toThrow(/^JSON parse error - /);
    expect(() => decodeJsonBody('   ', 64)).toThrow('JSON parse error - the body is empty');
  });

  it('refuses nesting past the cap whether the text has few or many brackets', () => {
    expect(() => decodeJsonBody(`${'['.repeat(5)}${']'.repeat(5)}`, 4)).toThrow(/nesting deeper than 4/);
    expect(decodeJsonBody(`${'['.repeat(4)}${']'.repeat(4)}`, 4)).toEqual([[[[]]]]);
    // Many brackets, shallow: the count passes the cap, so the full scan decides (and accepts).
    const wide = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ i })));
    expect(decodeJsonBody(wide, 4)).toHaveLength(100);
    expect(nestsDeeperThan(wide, 4)).toBe(false);
    // Brackets inside strings count towards the bound but not the depth.
    expect(nestsDeeperThan('{"a": "[[[[[[[[[["}', 4)).toBe(false);
    expect(nestsDeeperThan('[[[[[1]]]]]', 4)).toBe(true);
  });
});

describe('parseMediaTypeCached', () => {
  it('answers like parseMediaType, frozen, for valid and malformed headers alike', () => {
    for (const header of ['application/json', 'Application/JSON ; charset=utf-8', 'text/plain; x', 'nonsense']) {
      expect(parseMediaTypeCached(header)).toEqual(parseMediaType(header));
      expect(parseMediaTypeCached(header)).toBe(parseMediaTypeCached(header));
    }
    const cached = parseMediaTypeCached('multipart/form-data; boundary=abc');
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached?.params)).toBe(true);
    expect(cached?.params.boundary).toBe('abc');
  });

  it('stays bounded however many distinct headers arrive', () => {
    for (let i = 0; i < 500; i++)
      expect(parseMediaTypeCached(`application/x-${i}`)?.essence).toBe(`application/x-${i}`);
  });
});

describe('JSON bodies on the service', () => {
  it('parses application/json (with parameters), +json types and refuses broken, poisoned and too deep bodies', async () => {
    const app = new Microservice('fast-paths').post('/echo/', (req) => ({ got: req.data }));
    const post = (contentType: string, payload: string) =>
      app.fastify.inject({ method: 'POST', url: '/echo/', headers: { 'content-type': contentType }, payload });
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json']) {
      const response = await post(type, '{"a": [1]}');
      expect(response.statusCode, type).toBe(200);
      expect(response.json()).toEqual({ got: { a: [1] } });
    }
    const broken = await post('application/json', '{"a": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toMatch(/^JSON parse error - /);
    const poisoned = await post('application/json', '{"\\u005f_proto__": {"admin": true}}');
    expect(poisoned.statusCode).toBe(400);
    const deep = await post('application/json', `${'['.repeat(100)}${']'.repeat(100)}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json().message).toMatch(/nesting deeper than 64/);
    await app.close();
  });
});
