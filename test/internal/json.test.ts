/** The bounded JSON parser shared by the HTTP service and the HTTP client (src/internal/json.ts). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JSON_DEPTH, JsonParseError, jsonDepth, parseJson } from '../../src/internal/json.js';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['[]', 1],
    ['[[1], {"a": {"b": []}}]', 4],
    ['{"a": "[[[[", "b": "\\\\"}', 1],
    ['["\\"[[[", [2]]', 2],
  ])('%s is %i deep', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('stops as soon as the depth passes stopAbove', () => {
    expect(jsonDepth(`${'['.repeat(1_000)}`, 10)).toBe(11);
  });
});

describe('parseJson', () => {
  it('caps nesting at DEFAULT_MAX_JSON_DEPTH (64) by default', () => {
    expect(DEFAULT_MAX_JSON_DEPTH).toBe(64);
    expect(() => parseJson(`${'['.repeat(64)}${']'.repeat(64)}`)).not.toThrow();
    expect(() => parseJson(`${'['.repeat(65)}${']'.repeat(65)}`)).toThrow('JSON nesting deeper than 64 levels');
  });

  it('refuses a five-million-deep text without building it', () => {
    const deep = `${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`;
    const error = (() => {
      try {
        parseJson(deep);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(JsonParseError);
  });

  it('keeps the syntax error as the cause', () => {
    try {
      parseJson('{"a":');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JsonParseError);
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('keeps, removes or refuses __proto__ keys as asked', () => {
    const text = '{"a":1,"__proto__":{"admin":true}}';
    expect(Object.hasOwn(parseJson(text) as object, '__proto__')).toBe(true);
    expect(parseJson(text, { poisoning: 'remove' })).toEqual({ a: 1 });
    expect(() => parseJson(text, { poisoning: 'error' })).toThrow(JsonParseError);
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });
});
