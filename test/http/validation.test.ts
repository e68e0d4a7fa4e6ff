import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CODES, MicroservicesError } from '../../src/errors.js';
import { Microservice, ResourceMarker, reply } from '../../src/http/index.js';
import { RouteContract } from '../../src/http/validation.js';

const NoteInput = z.object({ title: z.string().min(1), tags: z.array(z.string()).default([]) });
const Paging = z.object({ page: z.coerce.number().int().min(1).default(1) });
const Note = z.object({ id: z.number(), title: z.string() });

function notes(options: ConstructorParameters<typeof Microservice>[1] = {}) {
  const seen: unknown[] = [];
  const app = new Microservice('notes', options)
    .post('/notes/', { schema: { body: NoteInput, query: Paging, response: { 201: Note } } }, (req) => {
      seen.push({ data: req.data, query: req.query });
      return reply({ id: 1, title: req.data.title }, 201);
    })
    .get('/notes/<int:id>/', { schema: { params: z.object({ id: z.number().max(100) }) } }, (req) => ({
      id: req.params.id,
    }));
  return { app, seen };
}

describe('route schemas: request validation', () => {
  it('gives the handler the validated output (coercions and defaults applied)', async () => {
    const { app, seen } = notes();
    const res = await app.inject({ method: 'POST', url: '/notes/?page=3', payload: { title: 'a' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: 1, title: 'a' });
    expect(seen).toEqual([{ data: { title: 'a', tags: [] }, query: { page: 3 } }]);
  });

  it('answers 400 with the code and every issue (path and message) from query and body, before the handler', async () => {
    const { app, seen } = notes();
    const res = await app.inject({ method: 'POST', url: '/notes/?page=0', payload: { title: '', tags: [1] } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.message).toBe('Invalid input.');
    expect(body.code).toBe(CODES.MS_VALIDATION_FAILED);
    expect(body.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'query.page',
      'body.title',
      'body.tags.0',
    ]);
    for (const issue of body.issues) expect(typeof issue.message).toBe('string');
    expect(seen).toEqual([]);
  });

  it('validates params after the converters (an int param arrives as a number)', async () => {
    const { app } = notes();
    expect((await app.inject('/notes/7/')).json()).toEqual({ id: 7 });
    const res = await app.inject('/notes/700/');
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('params.id');
  });

  it('negotiates the 400: the browsable page for browsers', async () => {
    const { app } = notes();
    const res = await app.inject({
      method: 'POST',
      url: '/notes/',
      payload: { title: '' },
      headers: { accept: 'text/html' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('body.title');
  });

  it('validates form bodies too, and does not apply a body schema to GET', async () => {
    const app = new Microservice('forms').route(
      '/x/',
      { methods: ['GET', 'POST'], schema: { body: z.object({ name: z.string().min(2) }) } },
      (req) => ({ got: req.data }),
    );
    const form = await app.inject({
      method: 'POST',
      url: '/x/',
      payload: 'name=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(400);
    expect(form.json().issues[0].path).toBe('body.name');
    expect((await app.inject('/x/')).json()).toEqual({ got: {} });
  });

  it('works with valibot and arktype, and with async validators', async () => {
    const slow: StandardSchemaV1<unknown, { n: number }> = {
      '~standard': {
        version: 1,
        vendor: 'slow',
        validate: async (value) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const n = (value as { n?: unknown }).n;
          return typeof n === 'number'
            ? { value: { n: n * 2 } }
            : { issues: [{ message: 'n must be a number', path: ['n'] }] };
        },
      },
    };
    const app = new Microservice('vendors')
      .post('/v/', { schema: { body: v.object({ a: v.string() }) } }, (req) => req.data)
      .post('/a/', { schema: { body: type({ a: 'string' }) } }, (req) => req.data)
      .post('/s/', { schema: { body: slow } }, (req) => req.data);
    for (const url of ['/v/', '/a/']) {
      expect((await app.inject({ method: 'POST', url, payload: { a: 'x' } })).json()).toEqual({ a: 'x' });
      const bad = await app.inject({ method: 'POST', url, payload: { a: 1 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().issues[0].path).toBe('body.a');
    }
    expect((await app.inject({ method: 'POST', url: '/s/', payload: { n: 2 } })).json()).toEqual({ n: 4 });
    const bad = await app.inject({ method: 'POST', url: '/s/', payload: { n: 'x' } });
    expect(bad.json().issues).toEqual([{ path: 'body.n', message: 'n must be a number' }]);
  });

  it('keeps the envelope of a marked resource on a 400', async () => {
    const app = new Microservice('marked').post(
      '/m/',
      { resource: new ResourceMarker({ update: { extra: 1 } }), schema: { body: NoteInput } },
      () => ({ ok: true }),
    );
    const res = await app.inject({ method: 'POST', url: '/m/', payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: 'Invalid input.', extra: 1 });
  });

  it('a validator that throws gives a generic issue to the client and its error to the log only', async () => {
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, debug() {}, error: (line: string) => errors.push(line) };
    const throwing: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'x',
        validate: () => {
          throw new Error('secret internals');
        },
      },
    };
    const app = new Microservice('t', { logger: logger as never }).post('/t/', { schema: { body: throwing } }, () => 1);
    const res = await app.inject({ method: 'POST', url: '/t/', payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('secret');
    expect(errors.join('\n')).toContain('secret internals');
  });

  it('refuses a malformed schema option at registration', () => {
    const app = new Microservice('bad');
    expect(() => app.post('/x/', { schema: { body: { title: 'string' } } as never }, () => 1)).toThrow(
      expect.objectContaining({ code: CODES.MS_CONTRACT_INVALID }),
    );
    expect(() => app.post('/x/', { schema: { bodee: NoteInput } as never }, () => 1)).toThrow(MicroservicesError);
    expect(() => app.post('/x/', { schema: { response: { 99: Note } } }, () => 1)).toThrow(/100\.\.599/);
  });

  it('leaves a route without a schema unwrapped (same handler, no contract)', () => {
    const handler = () => 1;
    const app = new Microservice('plain').get('/p/', handler);
    const entry = app.router.groups.get('/p/')?.handlers.get('GET');
    expect(entry?.handler).toBe(handler);
    expect(entry?.contract).toBeUndefined();
  });
});

describe('route schemas: the entry carries the contract', () => {
  it('exposes the body JSON Schema for the page, or why it is missing', () => {
    const app = new Microservice('c')
      .post('/z/', { schema: { body: NoteInput } }, () => 1)
      .post('/v/', { schema: { body: v.object({ a: v.string() }) } }, () => 1);
    const zod = app.router.groups.get('/z/')?.handlers.get('POST')?.contract;
    expect(zod?.bodyJsonSchema).toMatchObject({ type: 'object', properties: { title: { type: 'string' } } });
    const vali = app.router.groups.get('/v/')?.handlers.get('POST')?.contract;
    expect(vali?.bodyJsonSchema).toBeUndefined();
    expect(vali?.bodyJsonSchemaMissing?.vendor).toBe('valibot');
  });

  it('builds a documentation-only Fastify schema (given keys win)', () => {
    const contract = RouteContract.from('/x/', { body: NoteInput, query: Paging, response: { 200: Note } });
    const schema = contract?.fastifySchema({ summary: 'x' } as never, ['POST']) as Record<string, unknown>;
    expect(schema.summary).toBe('x');
    expect(schema.body).toMatchObject({ type: 'object' });
    expect(schema.querystring).toMatchObject({ type: 'object' });
    expect(schema.response).toMatchObject({ 200: { type: 'object' } });
    expect(schema.body).not.toHaveProperty('$schema');
  });
});

describe('route schemas: response validation (validateResponses)', () => {
  const Out = z.object({ id: z.number(), title: z.string() }).transform((note) => ({ ...note, slug: note.title }));

  function app(validateResponses: boolean, value: unknown) {
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, debug() {}, error: (line: string) => errors.push(line) };
    const service = new Microservice('r', { validateResponses, logger: logger as never }).get(
      '/r/',
      { schema: { response: { 200: Out } } },
      () => value as { id: number; title: string },
    );
    return { service, errors };
  }

  it('is off by default: the result is sent as returned', async () => {
    const { service } = app(false, { id: 'leak' });
    expect((await service.inject('/r/')).json()).toEqual({ id: 'leak' });
  });

  it('turns a mismatch into a logged 500 without the invalid data', async () => {
    const { service, errors } = app(true, { id: 'leak-me', title: 't' });
    const res = await service.inject('/r/');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('leak-me');
    expect(errors.join('\n')).toContain('response.id');
  });

  it('sends the schema output when the result matches', async () => {
    const { service } = app(true, { id: 1, title: 't' });
    expect((await service.inject('/r/')).json()).toEqual({ id: 1, title: 't', slug: 't' });
  });
});
