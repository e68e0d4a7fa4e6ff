import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { encodeJson, jsonDepth } from '../../src/http/json.js';

describe('JSON encoding (checklist item 41)', () => {
  it('keeps non-ASCII raw, writes dates as ISO 8601 (the seed used RFC 1123: a documented deviation) and bigint as a string', async () => {
    const app = new Microservice('json');
    app.get('/j/', () => ({
      text: 'Привет, wörld ✓',
      when: new Date(Date.UTC(2018, 7, 29, 18, 23, 12)),
      big: 2n ** 70n,
    }));
    const res = await app.inject('/j/');
    expect(res.body).toContain('Привет, wörld ✓');
    expect(res.json()).toEqual({
      text: 'Привет, wörld ✓',
      when: '2018-08-29T18:23:12.000Z',
      big: '1180591620717411303424',
    });
  });

  it('a value that cannot be encoded is a 500 with a clear message, its reason shown with exposeErrors', async () => {
    const app = new Microservice('json', { exposeErrors: true });
    app.get('/cycle/', { resource: new ResourceMarker() }, () => {
      const node: Record<string, unknown> = {};
      node.self = node;
      return node;
    });
    const res = await app.inject('/cycle/');
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toBe('The response could not be encoded as JSON.');
    expect(res.json().detail).toMatch(/^The response could not be encoded as JSON: .*circular/i);
  });

  it('measures nesting without recursion, ignoring brackets inside strings', () => {
    expect(jsonDepth('[[{"a":"[[[["}]]]')).toBe(3);
    expect(jsonDepth('['.repeat(100_000))).toBe(100_000);
    expect(encodeJson({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
  });
});
