import swagger from '@fastify/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Microservice, OPENAPI_ENDPOINT, openApiDocument, ResourceMarker, reply } from '../../src/http/index.js';
import { ROUTER } from '../../src/http/router.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk the built document freely.
type Doc = Record<string, any>;

const NoteInput = z.object({ title: z.string().min(1), done: z.boolean().default(false) });
const Note = z.object({ id: z.number().int(), title: z.string(), done: z.boolean() });
const Paging = z.object({ page: z.coerce.number().int().min(1).default(1) });

function notes(options: ConstructorParameters<typeof Microservice>[1]) {
  return new Microservice('notes', options)
    .route(
      '/notes/',
      {
        methods: ['GET', 'POST'],
        resource: new ResourceMarker(),
        description: 'Notes\n\n* POST: create a note',
        schema: { query: Paging, response: { 200: z.array(Note) } },
      },
      () => [],
    )
    .put(
      '/notes/<int:id>/',
      { resource: new ResourceMarker(), schema: { body: NoteInput, response: { 200: Note } } },
      (req) => ({ id: req.params.id, ...req.data }),
    )
    .get('/plain/<uuid:key>/', (req) => ({ key: req.params.key }))
    .post('/v/', { schema: { body: toStandardJsonSchema(v.object({ name: v.string() })) } }, (req) =>
      reply(req.data, 201),
    );
}

async function expectValid(document: Doc): Promise<void> {
  const result = await new Validator().validate(structuredClone(document));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
}

describe('GET /openapi.json', () => {
  it('is off by default', async () => {
    expect((await notes({}).inject('/openapi.json')).statusCode).toBe(404);
  });

  it('serves a valid OpenAPI 3.1 document of the routes (rules, converters, schemas, envelope)', async () => {
    const app = notes({ openapi: { title: 'Notes API', version: '1.2.3', description: 'All about *notes*.' } });
    const res = await app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const doc: Doc = res.json();
    await expectValid(doc);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toEqual({ title: 'Notes API', version: '1.2.3', description: 'All about *notes*.' });
    expect(Object.keys(doc.paths).sort()).toEqual(['/notes/', '/notes/{id}/', '/plain/{key}/', '/v/']);
    const put = doc.paths['/notes/{id}/'].put;
    expect(put.parameters[0]).toMatchObject({ name: 'id', in: 'path', schema: { type: 'integer' } });
    expect(put.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
    expect(put.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(doc.paths['/plain/{key}/'].get.parameters[0].schema).toMatchObject({ format: 'uuid' });
    const list = doc.paths['/notes/'].get;
    expect(list.summary).toBe('Notes');
    expect(list.parameters).toEqual([expect.objectContaining({ name: 'page', in: 'query', required: false })]);
    // A marked resource wraps array data under `response` (the default envelope).
    expect(list.responses['200'].content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['response'],
    });
    expect(doc.paths['/v/'].post.requestBody.content['application/json'].schema.$ref).toBeDefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });

  it('takes a path, defaults the title to the service name, and sees routes added later', async () => {
    const app = new Microservice('late', { openapi: { path: '/api/openapi.json' } }).get('/a/', () => 1);
    const first: Doc = (await app.inject('/api/openapi.json')).json();
    expect(first.info).toEqual({ title: 'late', version: '0.0.0' });
    app.get('/b/', () => 2);
    const second: Doc = (await app.inject('/api/openapi.json')).json();
    expect(Object.keys(second.paths).sort()).toEqual(['/a/', '/b/']);
    expect(app[ROUTER].endpoints.get(OPENAPI_ENDPOINT)?.rule.rule).toBe('/api/openapi.json');
  });

  it('says which parts it could not describe (a valibot schema without its JSON Schema wrapper)', () => {
    const app = new Microservice('m').post('/m/', { schema: { body: v.object({ a: v.string() }) } }, () => 1);
    const { document, missing } = openApiDocument(app, { title: 'm', version: '1' });
    expect(missing).toEqual([expect.objectContaining({ where: 'POST /m/ requestBody', vendor: 'valibot' })]);
    expect((document as Doc).paths['/m/'].post.requestBody.content['application/json'].schema).toEqual({});
  });

  it('@fastify/swagger sees the same schemas, and Fastify does not validate with them', async () => {
    const app = new Microservice('swagger');
    await app.fastify.register(swagger, { openapi: { info: { title: 's', version: '1' } } });
    app.put('/notes/<int:id>/', { schema: { body: NoteInput, response: { 200: Note } } }, (req) => ({
      id: req.params.id,
      ...req.data,
    }));
    await app.fastify.ready();
    const doc = app.fastify.swagger() as Doc;
    const put = doc.paths['/notes/{id}/'].put;
    expect(put.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { title: { type: 'string', minLength: 1 } },
    });
    expect(put.responses['200'].content['application/json'].schema).toMatchObject({ type: 'object' });
    // The service validates once, with the Standard Schema: its issues, not Fastify's Ajv error.
    const bad = await app.inject({ method: 'PUT', url: '/notes/1/', payload: { title: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('body.title');
    const ok = await app.inject({ method: 'PUT', url: '/notes/1/', payload: { title: 'x' } });
    expect(ok.json()).toEqual({ id: 1, title: 'x', done: false });
  });
});

describe('the page links /openapi.json', () => {
  const html = { accept: 'text/html' };
  const link = /<a class="api-doc" href="([^"]*)" type="application\/json">OpenAPI<\/a>/;

  it('from the header of resource and error pages when the option is on, and not when it is off', async () => {
    const on = notes({ openapi: true });
    const page = (await on.inject({ url: '/notes/', headers: html })).body;
    expect(page.match(link)?.[1]).toBe('/openapi.json');
    expect(page.indexOf('class="api-doc"')).toBeLessThan(page.indexOf('</header>'));
    const missing = await on.inject({ url: '/nowhere/', headers: html });
    expect(missing.statusCode).toBe(404);
    expect(missing.body.match(link)?.[1]).toBe('/openapi.json');
    const off = notes({});
    expect((await off.inject({ url: '/notes/', headers: html })).body).not.toContain('api-doc');
    expect((await off.inject({ url: '/nowhere/', headers: html })).body).not.toContain('api-doc');
  });

  it('at the configured path, escaped like every other link', async () => {
    const app = new Microservice('esc', { openapi: { path: `/docs/a&b'"x.json` } }).get('/a/', () => 1);
    expect((await app.inject(`/docs/a&b'"x.json`)).statusCode).toBe(200);
    const page = (await app.inject({ url: '/a/', headers: html })).body;
    expect(page).toContain('<a class="api-doc" href="/docs/a&amp;b&#39;&quot;x.json" type="application/json">');
  });
});
