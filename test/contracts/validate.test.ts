import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  formatIssuePath,
  VALIDATOR_FAILED_MESSAGE,
  ValidationError,
  validate,
  validateEager,
} from '../../src/contracts/index.js';
import { ERROR_CATALOGUE, MicroservicesError } from '../../src/errors.js';

/** A hand-written Standard Schema whose validate() does whatever the test needs. */
function fake(validateFn: (value: unknown) => unknown): StandardSchemaV1<unknown, unknown> {
  return {
    '~standard': { version: 1, vendor: 'fake', validate: validateFn as StandardSchemaV1.Props['validate'] },
  };
}

describe('validate(): the three vendors', () => {
  const Zod = z.object({ title: z.string(), items: z.array(z.object({ name: z.string() })), n: z.coerce.number() });
  const Vali = v.object({ title: v.string(), items: v.array(v.object({ name: v.string() })) });
  const Ark = type({ title: 'string', items: type({ name: 'string' }).array() });
  const bad = { title: 1, items: [{ name: 'a' }, { name: 'b' }, { name: 3 }], n: '4' };

  it('zod: success gives the output (coercion applied)', async () => {
    const result = await validate(Zod, { title: 't', items: [], n: '4' });
    expect(result).toEqual({ ok: true, value: { title: 't', items: [], n: 4 } });
  });
  it.each([
    ['zod', Zod],
    ['valibot', Vali],
    ['arktype', Ark],
  ])('%s: failure gives prefixed dot paths', async (_name, schema) => {
    const result = await validate(schema as StandardSchemaV1, bad, { prefix: 'body' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(['body.items.2.name', 'body.title']);
    for (const issue of result.issues) expect(issue.message).toMatch(/\S/);
  });
  it('an async validator works (zod async refinement)', async () => {
    const Async = z.string().refine(async (text) => text === 'ok', 'not ok');
    expect(await validate(Async, 'ok')).toEqual({ ok: true, value: 'ok' });
    const eager = validateEager(Async, 'no', { prefix: 'query' });
    expect(eager).toBeInstanceOf(Promise);
    expect(await eager).toEqual({ ok: false, issues: [{ path: 'query', message: 'not ok' }] });
  });
  it('validateEager answers synchronously for a synchronous validator', () => {
    const result = validateEager(z.number(), 1);
    expect(result).toEqual({ ok: true, value: 1 });
  });
});

describe('issue paths: the stable format', () => {
  it('joins keys and indexes with dots, unwraps PathSegment objects', () => {
    expect(formatIssuePath(['items', 2, { key: 'name' }], 'body')).toBe('body.items.2.name');
    expect(formatIssuePath([{ key: { key: 'deep' } }])).toBe('deep');
  });
  it('quotes keys that are not plain, so the path stays unambiguous', () => {
    expect(formatIssuePath(['a.b', 'c'], 'body')).toBe('body["a.b"].c');
    expect(formatIssuePath([''], 'query')).toBe('query[""]');
    expect(formatIssuePath(['x y', 0])).toBe('["x y"].0');
  });
  it('writes symbols as [Symbol(description)]', () => {
    expect(formatIssuePath([Symbol('tag'), 'k'], 'body')).toBe('body[Symbol(tag)].k');
  });
  it('an empty path is the prefix alone', () => {
    expect(formatIssuePath(undefined, 'body')).toBe('body');
    expect(formatIssuePath([])).toBe('');
  });
});

describe('validate(): bounded and never throwing', () => {
  it('caps the number of issues and says how many were left out', async () => {
    const many = fake(() => ({ issues: Array.from({ length: 1000 }, (_, i) => ({ message: 'bad', path: [i] })) }));
    const result = await validate(many, null, { prefix: 'body', maxIssues: 10 });
    if (result.ok) throw new Error('expected a failure');
    expect(result.issues).toHaveLength(10);
    expect(result.issues[8]).toEqual({ path: 'body.8', message: 'bad' });
    expect(result.issues[9]).toEqual({ path: 'body', message: '991 more issues left out.' });
  });
  it('caps message and path lengths', async () => {
    const long = fake(() => ({ issues: [{ message: 'x'.repeat(10_000), path: Array(500).fill('segment') }] }));
    const result = await validate(long, null, { maxMessageLength: 100, maxPathLength: 50 });
    if (result.ok) throw new Error('expected a failure');
    expect(result.issues[0]?.message).toHaveLength(100);
    expect(result.issues[0]?.path).toHaveLength(50);
  });
  it('a validator that throws becomes one generic issue, with the cause kept for logs', async () => {
    const boom = new Error('secret internals');
    const result = await validate(
      fake(() => {
        throw boom;
      }),
      1,
      { prefix: 'body' },
    );
    expect(result).toEqual({ ok: false, issues: [{ path: 'body', message: VALIDATOR_FAILED_MESSAGE }], cause: boom });
  });
  it('a validator that rejects, or returns garbage, does the same', async () => {
    const rejected = await validate(
      fake(() => Promise.reject(new Error('x'))),
      1,
    );
    expect(rejected.ok).toBe(false);
    for (const garbage of [null, 42, { issues: 'nope' }]) {
      const result = await validate(
        fake(() => garbage),
        1,
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues).toEqual([{ path: '', message: VALIDATOR_FAILED_MESSAGE }]);
    }
  });
  it('an async validator that never answers fails after timeoutMs, with the cause kept', async () => {
    const never = fake(() => new Promise(() => {}));
    const started = Date.now();
    const result = await validate(never, 1, { prefix: 'body', timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(2000);
    if (result.ok) throw new Error('expected a failure');
    expect(result.issues).toEqual([{ path: 'body', message: VALIDATOR_FAILED_MESSAGE }]);
    expect(result.cause).toBeInstanceOf(MicroservicesError);
    expect(String((result.cause as Error).message)).toContain('50 ms');
  });
  it('an empty issues array is still a failure (the spec: issues present means failure)', async () => {
    const result = await validate(
      fake(() => ({ issues: [] })),
      1,
    );
    expect(result).toEqual({ ok: false, issues: [{ path: '', message: 'Invalid value.' }] });
  });
  it('issues without a message get a generic one', async () => {
    const result = await validate(
      fake(() => ({ issues: [{ path: ['a'] }, null] })),
      1,
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'a', message: 'Invalid value.' },
        { path: '', message: 'Invalid value.' },
      ],
    });
  });
});

describe('ValidationError', () => {
  it('is a MicroservicesError with a catalogue code, status 400 and the issues', () => {
    const issues = [{ path: 'body.title', message: 'Required' }];
    const error = new ValidationError(issues);
    expect(error).toBeInstanceOf(MicroservicesError);
    expect(error.code).toBe('MS_VALIDATION_FAILED');
    expect(ERROR_CATALOGUE[error.code]).toBeDefined();
    expect(error.status).toBe(400);
    expect(error.name).toBe('ValidationError');
    expect(JSON.parse(JSON.stringify(error))).toEqual({ message: 'Invalid input.', issues });
  });
});
