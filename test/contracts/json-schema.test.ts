import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rebaseRefs, toJsonSchema } from '../../src/contracts/index.js';

const expected = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] };

describe('toJsonSchema(): Standard JSON Schema', () => {
  it('zod 4 implements it (draft 2020-12 by default)', () => {
    const result = toJsonSchema(z.object({ title: z.string() }));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.schema).toMatchObject(expected);
      expect(result.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });
  it('arktype 2 implements it, and draft-07 can be asked for', () => {
    const result = toJsonSchema(type({ title: 'string' }), { target: 'draft-07' });
    expect(result.ok && result.schema).toMatchObject({
      ...expected,
      $schema: 'http://json-schema.org/draft-07/schema#',
    });
  });
  it('valibot 1 alone does not: a missing marker names the vendor and the wrapper to use', () => {
    const result = toJsonSchema(v.object({ title: v.string() }));
    expect(result).toEqual({
      ok: false,
      missing: {
        vendor: 'valibot',
        reason: expect.stringContaining('toStandardJsonSchema() from @valibot/to-json-schema'),
      },
    });
  });
  it('valibot wrapped with toStandardJsonSchema() works', () => {
    const result = toJsonSchema(toStandardJsonSchema(v.object({ title: v.string() })));
    expect(result.ok && result.schema).toMatchObject(expected);
  });
  it('input and output sides differ for transforming schemas', () => {
    const schema = z.object({ done: z.boolean().default(false) });
    const input = toJsonSchema(schema, { side: 'input' });
    const output = toJsonSchema(schema, { side: 'output' });
    expect(input.ok && input.schema.required).toBeUndefined();
    expect(output.ok && output.schema.required).toEqual(['done']);
  });
  it('a type the vendor cannot convert gives a missing marker, not a throw', () => {
    const result = toJsonSchema(z.object({ at: z.date() }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.missing).toMatchObject({ vendor: 'zod', reason: expect.stringContaining('Date') });
  });
  it('an object that is not a schema gives a missing marker, not a throw', () => {
    expect(toJsonSchema({} as never)).toEqual({
      ok: false,
      missing: { vendor: 'unknown', reason: expect.any(String) },
    });
    expect(toJsonSchema(null as never).ok).toBe(false);
  });
  it('is cached per schema object and per side/target', () => {
    const schema = z.object({ title: z.string() });
    expect(toJsonSchema(schema)).toBe(toJsonSchema(schema));
    expect(toJsonSchema(schema, { side: 'output' })).not.toBe(toJsonSchema(schema));
    expect(toJsonSchema(z.object({ title: z.string() }))).not.toBe(toJsonSchema(schema));
    let calls = 0;
    const counting = {
      '~standard': {
        version: 1 as const,
        vendor: 'counting',
        validate: (value: unknown) => ({ value }),
        jsonSchema: {
          input: () => {
            calls++;
            return { type: 'string' };
          },
          output: () => ({ type: 'string' }),
        },
      },
    };
    toJsonSchema(counting);
    toJsonSchema(counting);
    expect(calls).toBe(1);
  });
});

describe('rebaseRefs()', () => {
  it('points local refs (recursive zod schemas use "#") at the new home and drops $schema', () => {
    type Tree = { name: string; children?: Tree[] | undefined };
    const Tree: z.ZodType<Tree> = z.object({ name: z.string(), children: z.array(z.lazy(() => Tree)).optional() });
    const result = toJsonSchema(Tree);
    if (!result.ok) throw new Error(result.missing.reason);
    const rebased = rebaseRefs(result.schema, '#/components/schemas/Tree');
    expect(rebased.$schema).toBeUndefined();
    expect(JSON.stringify(rebased)).toContain('"$ref":"#/components/schemas/Tree');
    expect(JSON.stringify(rebased)).not.toContain('"$ref":"#"');
    expect(rebaseRefs({ $defs: { A: {} }, $ref: '#/$defs/A' }, '#/x')).toEqual({
      $defs: { A: {} },
      $ref: '#/x/$defs/A',
    });
    expect(rebaseRefs({ $ref: 'https://example.com/s.json' }, '#/x')).toEqual({ $ref: 'https://example.com/s.json' });
  });
});
