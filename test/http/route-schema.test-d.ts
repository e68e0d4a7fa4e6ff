import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type HttpRequest, Microservice, reply } from '../../src/http/index.js';

const NoteInput = z.object({ title: z.string(), tags: z.array(z.string()).default([]) });
const Paging = z.object({ page: z.coerce.number().default(1) });
const Note = z.object({ id: z.number(), title: z.string() });

describe('route schemas type the handler', () => {
  it('req.data, req.query and req.params are the schemas outputs', () => {
    new Microservice().route(
      '/notes/<int:id>/',
      { methods: ['PUT'], schema: { body: NoteInput, query: Paging, params: z.object({ id: z.number() }) } },
      (req) => {
        expectTypeOf(req.data).toEqualTypeOf<{ title: string; tags: string[] }>();
        expectTypeOf(req.query).toEqualTypeOf<{ page: number }>();
        expectTypeOf(req.params).toEqualTypeOf<{ id: number }>();
        expectTypeOf(req.method).toBeString();
        return null;
      },
    );
  });

  it('a route without a schema keeps HttpRequest typed from the rule', () => {
    new Microservice().get('/x/<int:id>/', (req) => {
      expectTypeOf(req).toEqualTypeOf<HttpRequest<{ id: number }>>();
      expectTypeOf(req.data).toBeUnknown();
      return 1;
    });
  });

  it('a 2xx response schema types what the handler may return', () => {
    const app = new Microservice();
    app.get('/n/', { schema: { response: { 200: Note } } }, () => ({ id: 1, title: 't' }));
    app.get('/n/', { schema: { response: { 200: Note } } }, async () => reply({ anything: true }, 404));
    // @ts-expect-error the 200 schema wants a number id
    app.get('/n/', { schema: { response: { 200: Note } } }, () => ({ id: 'x', title: 't' }));
  });
});
