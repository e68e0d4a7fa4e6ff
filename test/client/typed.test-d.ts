import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { type TypedClient, typedClient } from '../../src/client/index.js';
import type { RoutesOf } from '../../src/contracts/index.js';
import type { Note, NotesService } from './typed-service.js';

declare const api: TypedClient<RoutesOf<NotesService>>;
type NoteOut = z.output<typeof Note>;

describe('typed client: types from the service', () => {
  it('typedClient<typeof app> gives the client over the service route table', () => {
    expectTypeOf(typedClient<NotesService>('http://x')).toEqualTypeOf<TypedClient<RoutesOf<NotesService>>>();
  });

  it('types the response data by status from the response schemas', async () => {
    const one = await api.get('/notes/<int:id>/', { params: { id: 1 } });
    expectTypeOf(one.status).toEqualTypeOf<200>();
    expectTypeOf(one.data).toEqualTypeOf<NoteOut>();
    const created = await api.post('/notes/', { body: { title: 'x' } });
    expectTypeOf(created.data.id).toEqualTypeOf<number>();
    const list = await api.get('/notes/', { query: { page: 2, q: 'x' } });
    expectTypeOf(list.data).toEqualTypeOf<NoteOut[]>();
    const untyped = await api.get('/files/<path:rest>', { params: { rest: 'a/b' } });
    expectTypeOf(untyped.data).toBeUnknown();
  });

  it('accepts the body schema input (defaults optional) and an optional query with defaults', () => {
    api.put('/notes/<int:id>/', { params: { id: 1 }, body: { title: 'x', done: true } });
    api.get('/notes/');
    api.delete('/notes/<int:id>/', { params: { id: 3 } });
    api.request('PUT', '/notes/<int:id>/', { params: { id: 1 }, body: { title: 'y' } });
    // @ts-expect-error no body on GET, even where the rule's PUT takes one
    api.get('/notes/<int:id>/', { params: { id: 1 }, body: { title: 'x' } });
  });

  it('refuses a wrong path, a wrong method for a path, and missing or wrong path parameters', () => {
    // @ts-expect-error no such rule
    api.get('/note/<int:id>/', { params: { id: 1 } });
    // @ts-expect-error the rule has no POST
    api.post('/notes/<int:id>/', { params: { id: 1 }, body: { title: 'x' } });
    // @ts-expect-error DELETE is only on the item rule
    api.delete('/notes/');
    // @ts-expect-error params are required for a rule with parameters
    api.get('/notes/<int:id>/');
    // @ts-expect-error `id` is an int converter: a number
    api.get('/notes/<int:id>/', { params: { id: 'one' } });
    // @ts-expect-error unknown method for request()
    api.request('PURGE', '/notes/');
  });

  it('refuses a wrong body and a wrong query', () => {
    // @ts-expect-error the body is required
    api.post('/notes/');
    // @ts-expect-error title must be a string
    api.post('/notes/', { body: { title: 1 } });
    // @ts-expect-error unknown key in the body
    api.post('/notes/', { body: { title: 'x', colour: 'red' } });
    // @ts-expect-error q is a string
    api.get('/notes/', { query: { q: 1 } });
  });

  it('refuses misuse of the response', async () => {
    const one = await api.get('/notes/<int:id>/', { params: { id: 1 } });
    // @ts-expect-error a note has no `body` field
    one.data.body;
    // @ts-expect-error title is a string
    const _n: number = one.data.title;
    // @ts-expect-error the status is 200, never 201
    if (one.status === 201) _n;
    const list = await api.get('/notes/');
    // @ts-expect-error the list is an array of notes, not a note
    list.data.title;
  });
});
