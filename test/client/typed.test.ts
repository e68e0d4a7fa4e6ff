import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseError, typedClient } from '../../src/client/index.js';
import { type NotesService, notesService } from './typed-service.js';

describe('typed client against a real service', () => {
  const app = notesService();
  let api: ReturnType<typeof typedClient<NotesService>>;

  beforeAll(async () => {
    const address = await app.listen({ port: 0 });
    api = typedClient<typeof app>(address);
  });

  afterAll(async () => {
    await api.close();
    await app.close();
  });

  it('creates, reads, lists and updates with typed calls', async () => {
    const created = await api.post('/notes/', { body: { title: 'first' } });
    expect(created).toMatchObject({ status: 201, data: { id: 1, title: 'first', done: false } });
    expect(created.headers['content-type']).toContain('application/json');
    const read = await api.get('/notes/<int:id>/', { params: { id: created.data.id } });
    expect(read.data).toEqual({ id: 1, title: 'first', done: false });
    const updated = await api.put('/notes/<int:id>/', { params: { id: 1 }, body: { title: 'renamed', done: true } });
    expect(updated.data).toEqual({ id: 1, title: 'renamed', done: true });
    await api.post('/notes/', { body: { title: 'second' } });
    const found = await api.get('/notes/', { query: { q: 'sec' } });
    expect(found.data.map((note) => note.title)).toEqual(['second']);
    const deleted = await api.delete('/notes/<int:id>/', { params: { id: 2 } });
    expect(deleted).toMatchObject({ status: 204, data: null });
  });

  it('encodes path parameters (a path converter keeps its slashes)', async () => {
    const res = await api.get('/files/<path:rest>', { params: { rest: 'a b/c?d' } });
    expect(res.data).toEqual({ rest: 'a b/c?d' });
  });

  it('rejects a 400 with the ResponseError carrying the issues', async () => {
    const error = await api.post('/notes/', { body: { title: '' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseError);
    const refused = error as ResponseError;
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.content).issues[0].path).toBe('body.title');
  });

  it('rejects a 404 from the handler', async () => {
    await expect(api.get('/notes/<int:id>/', { params: { id: 99 } })).rejects.toMatchObject({ statusCode: 404 });
  });
});
