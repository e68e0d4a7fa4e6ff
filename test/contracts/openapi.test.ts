import { Validator } from '@seriousme/openapi-schema-validator';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApi, type RouteDescriptor, type RouteSchema } from '../../src/contracts/index.js';
import { MicroservicesError } from '../../src/errors.js';
import { type EnvelopeContext, envelope } from '../../src/http/envelope.js';
import { ResourceSchema } from '../../src/http/schema.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk the built document freely.
type Doc = Record<string, any>;

async function expectValidOpenApi(document: Record<string, unknown>): Promise<void> {
  const result = await new Validator().validate(structuredClone(document));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  // The validator checks structure; also check every local $ref points at something.
  const unresolved: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        let target: unknown = document;
        for (const raw of inner.replace(/^#\/?/, '').split('/').filter(Boolean)) {
          target = (target as Record<string, unknown> | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
        }
        if (target === undefined) unresolved.push(inner);
      } else walk(inner);
    }
  };
  walk(document);
  expect(unresolved).toEqual([]);
}

/** The same contract written with each vendor (valibot wrapped for JSON Schema). */
const vendors: [
  string,
  { input: StandardSchemaV1; paging: StandardSchemaV1; note: StandardSchemaV1; list: StandardSchemaV1 },
][] = [
  [
    'zod',
    {
      input: z.object({ title: z.string().max(200), done: z.boolean().default(false) }),
      paging: z.object({ page: z.coerce.number().int().min(1), q: z.string().optional() }),
      note: z.object({ id: z.number().int(), title: z.string(), done: z.boolean() }),
      list: z.array(z.object({ id: z.number().int(), title: z.string() })),
    },
  ],
  [
    'valibot',
    {
      input: toStandardJsonSchema(
        v.object({ title: v.pipe(v.string(), v.maxLength(200)), done: v.optional(v.boolean(), false) }),
      ),
      paging: toStandardJsonSchema(v.object({ page: v.number(), q: v.optional(v.string()) })),
      note: toStandardJsonSchema(v.object({ id: v.number(), title: v.string(), done: v.boolean() })),
      list: toStandardJsonSchema(v.array(v.object({ id: v.number(), title: v.string() }))),
    },
  ],
  [
    'arktype',
    {
      input: type({ title: 'string <= 200', 'done?': 'boolean' }),
      paging: type({ page: 'number.integer >= 1', 'q?': 'string' }),
      note: type({ id: 'number.integer', title: 'string', done: 'boolean' }),
      list: type({ id: 'number.integer', title: 'string' }).array(),
    },
  ],
];

function routes(s: (typeof vendors)[number][1]): RouteDescriptor[] {
  return [
    {
      rule: '/notes/',
      methods: ['GET', 'POST'],
      endpoint: 'notes',
      description: '# Notes\n\nList or create **notes**.',
      resource: true,
      schema: { query: s.paging, body: s.input, response: { 200: s.list, 201: s.note } } as RouteSchema,
    },
    {
      rule: '/notes/<int:id>/',
      methods: ['GET', 'PUT', 'DELETE'],
      endpoint: 'note',
      resource: true,
      schema: { body: s.input, response: { 200: s.note } } as RouteSchema,
    },
    { rule: '/files/<path:name>', methods: ['GET'], endpoint: 'file' },
    { rule: '/colour/<any(red, blue):c>/<uuid:u>', methods: ['GET'], endpoint: 'colour' },
  ];
}

describe('buildOpenApi(): valid OpenAPI 3.1 for each vendor', () => {
  it.each(vendors)('%s', async (_vendor, schemas) => {
    const { document, missing } = buildOpenApi(
      { title: 'Notes', version: '1.0.0', description: 'A *notes* service.' },
      routes(schemas),
      { servers: [{ url: 'http://localhost:5000' }] },
    );
    expect(missing).toEqual([]);
    await expectValidOpenApi(document);
    const doc = document as Doc;
    expect(doc.openapi).toBe('3.1.1');
    expect(Object.keys(doc.paths)).toEqual(['/notes/', '/notes/{id}/', '/files/{name}', '/colour/{c}/{u}']);
    const list = doc.paths['/notes/'].get;
    expect(list.operationId).toBe('notes.get');
    expect(list.summary).toBe('Notes');
    expect(list.parameters.map((p: Doc) => [p.name, p.in, p.required])).toEqual([
      ['page', 'query', true],
      ['q', 'query', false],
    ]);
    // An array is wrapped by the envelope ({"response": [...]}); an object is sent as it is.
    const listSchema = list.responses['200'].content['application/json'].schema;
    expect(listSchema).toMatchObject({ type: 'object', required: ['response'] });
    expect(listSchema.properties.response.$ref).toMatch(/^#\/components\/schemas\//);
    const created = doc.paths['/notes/'].post.responses['201'].content['application/json'].schema;
    expect(created.$ref).toMatch(/^#\/components\/schemas\//);
    const put = doc.paths['/notes/{id}/'].put;
    expect(put.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
    ]);
    expect(put.requestBody.required).toBe(true);
    expect(put.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
    expect(Object.keys(put.responses).sort()).toEqual(['200', '400', '404', '406', '415']);
    expect(doc.paths['/colour/{c}/{u}'].get.parameters.map((p: Doc) => p.schema)).toEqual([
      { type: 'string', enum: ['red', 'blue'] },
      { type: 'string', format: 'uuid' },
    ]);
    expect(doc.paths['/files/{name}'].get.responses).toEqual({
      '200': { description: 'OK' },
      '404': { $ref: '#/components/responses/NotFound' },
      '406': { $ref: '#/components/responses/NotAcceptable' },
    });
    expect(doc.components.schemas.ValidationErrorBody.properties.issues.items).toEqual({
      $ref: '#/components/schemas/ValidationIssue',
    });
  });
});

describe('buildOpenApi(): envelope, missing parts and errors', () => {
  const Note = z.object({ id: z.number() });
  it('the validator used here rejects a broken document (so these tests can fail)', async () => {
    const broken = {
      openapi: '3.1.1',
      info: { title: 't', version: '1' },
      paths: {
        '/a/{x}': {
          get: {
            parameters: [{ name: 'x', in: 'path', schema: { type: 'string' } }],
            responses: { '200': { description: 'OK' } },
          },
        },
      },
    };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });
  it('the documented envelope matches what src/http/envelope.ts really sends', () => {
    const context: EnvelopeContext = {
      method: 'GET',
      requestData: undefined,
      status: 200,
      statusText: 'OK',
      headers: {},
      rule: '/n/',
      methods: ['GET'],
      update: undefined,
      info: undefined,
      listing: () => undefined,
    };
    // Arrays are wrapped under "response"; objects are sent as they are (the builder documents exactly this).
    expect(envelope([1], new ResourceSchema(), context)).toEqual({ response: [1] });
    expect(envelope({ id: 1 }, new ResourceSchema(), context)).toEqual({ id: 1 });
    expect(envelope({ id: 1 }, new ResourceSchema({ response: 'result', responseUpdate: false }), context)).toEqual({
      result: { id: 1 },
    });
  });
  it('responseUpdate false wraps objects too, under a renamed key; ignoreForMethods sends raw', () => {
    const { document } = buildOpenApi({ title: 't', version: '1' }, [
      {
        rule: '/n/',
        methods: ['GET', 'POST'],
        endpoint: 'n',
        resource: { response: 'result', responseUpdate: false, ignoreForMethods: ['POST'] },
        schema: { response: { 200: Note } },
      },
    ]);
    const paths = (document as Doc).paths['/n/'];
    expect(paths.get.responses['200'].content['application/json'].schema).toEqual({
      type: 'object',
      properties: { result: { $ref: '#/components/schemas/n.get.200' } },
      required: ['result'],
    });
    expect(paths.post.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/n.get.200',
    });
  });
  it('a schema of unknown JSON type may be either form', () => {
    const { document } = buildOpenApi({ title: 't', version: '1' }, [
      { rule: '/u/', methods: ['GET'], endpoint: 'u', resource: true, schema: { response: { 200: z.unknown() } } },
    ]);
    expect((document as Doc).paths['/u/'].get.responses['200'].content['application/json'].schema.anyOf).toHaveLength(
      2,
    );
  });
  it('plain valibot is documented as any value and listed as missing, naming the vendor', async () => {
    const { document, missing } = buildOpenApi({ title: 't', version: '1' }, [
      { rule: '/v/', methods: ['POST'], endpoint: 'v', schema: { body: v.object({ a: v.string() }) } },
    ]);
    await expectValidOpenApi(document);
    expect(missing).toEqual([
      { where: 'POST /v/ requestBody', vendor: 'valibot', reason: expect.stringContaining('toStandardJsonSchema') },
    ]);
    expect((document as Doc).paths['/v/'].post.requestBody.content['application/json'].schema).toEqual({});
  });
  it('methods OpenAPI 3.1 cannot express and duplicate operations are listed as missing', () => {
    const { document, missing } = buildOpenApi({ title: 't', version: '1' }, [
      { rule: '/a/<int:x>', methods: ['PURGE', 'GET'], endpoint: 'a' },
      { rule: '/a/<int:x>', methods: ['GET'], endpoint: 'b' },
    ]);
    expect(missing.map((m) => m.where)).toEqual(['PURGE /a/{x}', 'GET /a/{x}']);
    expect((document as Doc).paths['/a/{x}'].get.operationId).toBe('a.get');
  });
  it('recursive schemas become resolvable component refs', async () => {
    type Tree = { name: string; children: Tree[] };
    const Tree: z.ZodType<Tree> = z.object({ name: z.string(), children: z.array(z.lazy(() => Tree)) });
    const { document } = buildOpenApi({ title: 't', version: '1' }, [
      { rule: '/t/', methods: ['GET'], endpoint: 'tree', schema: { response: { 200: Tree } } },
    ]);
    await expectValidOpenApi(document);
    expect(JSON.stringify(document)).toContain('"$ref":"#/components/schemas/tree.200"');
  });
  it('one schema used by several routes is one component', () => {
    const { document } = buildOpenApi({ title: 't', version: '1' }, [
      { rule: '/a/', methods: ['GET'], endpoint: 'a', schema: { response: { 200: Note } } },
      { rule: '/b/', methods: ['GET'], endpoint: 'b', schema: { response: { 200: Note } } },
    ]);
    const names = Object.keys((document as Doc).components.schemas);
    expect(names.filter((name) => name.endsWith('.200'))).toEqual(['a.200']);
  });
  it('a malformed rule or status throws MS_CONTRACT_INVALID', () => {
    expect(() =>
      buildOpenApi({ title: 't', version: '1' }, [{ rule: '/a/<', methods: ['GET'], endpoint: 'a' }]),
    ).toThrow(MicroservicesError);
    expect(() =>
      buildOpenApi({ title: 't', version: '1' }, [
        { rule: '/a/', methods: ['GET'], endpoint: 'a', schema: { response: { 999: Note } } },
      ]),
    ).toThrow(/999/);
  });
});
