import { Readable } from 'node:stream';
import { HttpReply, Microservice, ResourceMarker, reply } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

describe('return values (checklist items 36 to 38)', () => {
  it('item 36: reply(body, status) and reply(body, status, headers) set the status and add headers', async () => {
    const app = new Microservice('returns');
    app.post('/created/', () => reply({ id: 1 }, 201, { location: '/notes/1/' }));
    app.get('/custom/', () => reply([1], '299 CUSTOM'));
    const created = await app.inject({ method: 'POST', url: '/created/' });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/notes/1/');
    expect(created.json()).toEqual({ id: 1 });
    const custom = await app.inject('/custom/');
    expect(custom.statusCode).toBe(299);
    expect(custom.statusMessage).toBe('CUSTOM');
    expect(new HttpReply(null, 404).statusText).toBe('Not Found');
  });

  it('a plain array is always data, never a (body, status) tuple (a documented deviation)', async () => {
    const app = new Microservice('returns');
    app.get('/pair/', () => ['one', 200]);
    const res = await app.inject('/pair/');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(['one', 200]);
  });

  it('item 37: a returned Response passes through untouched, with no envelope', async () => {
    const app = new Microservice('returns');
    app.get(
      '/raw/',
      { resource: new ResourceMarker({ update: { u: 1 } }) },
      () => new Response('raw text', { status: 202, headers: { 'content-type': 'text/plain', 'x-raw': '1' } }),
    );
    const res = await app.inject('/raw/');
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('raw text');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['x-raw']).toBe('1');
  });

  it('streams and buffers pass through as raw bodies', async () => {
    const app = new Microservice('returns');
    app.get('/stream/', () => reply(Readable.from(['a', 'b', 'c']), 200, { 'content-type': 'text/plain' }));
    app.get('/bytes/', () => Buffer.from([1, 2, 3]));
    const stream = await app.inject('/stream/');
    expect(stream.body).toBe('abc');
    expect(stream.headers['content-type']).toBe('text/plain');
    const bytes = await app.inject('/bytes/');
    expect(bytes.rawPayload).toEqual(Buffer.from([1, 2, 3]));
    expect(bytes.headers['content-type']).toBe('application/octet-stream');
  });

  it('item 38: a 204 has no body (we keep 204; the seed turned a rendered 204 into 200)', async () => {
    const app = new Microservice('returns');
    app.delete('/n/', { resource: new ResourceMarker() }, () => reply(null, 204));
    const res = await app.inject({ method: 'DELETE', url: '/n/' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const page = await app.inject({ method: 'DELETE', url: '/n/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(204);
    expect(page.body).toBe('');
    expect(page.headers['content-type']).toBeUndefined();
  });

  it('undefined is a 500 whose message names the route only in debug mode', async () => {
    const quiet = new Microservice('returns');
    quiet.get('/u/', function nothing() {
      return undefined;
    });
    const res = await quiet.inject('/u/');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ message: 'Internal Server Error' });
    const debug = new Microservice('returns', { debug: true });
    debug.get('/u/', function nothing() {
      return undefined;
    });
    const detailed = await debug.inject('/u/');
    expect(detailed.statusCode).toBe(500);
    expect(detailed.json().message).toContain('endpoint "nothing" (/u/) returned undefined');
  });

  it('async handlers work, and a handler may send through the Fastify reply itself', async () => {
    const app = new Microservice('returns');
    app.get('/async/', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { later: true };
    });
    app.get('/fastify/', (req) => {
      req.raw.reply.code(418).send('teapot');
      return undefined;
    });
    expect((await app.inject('/async/')).json()).toEqual({ later: true });
    const own = await app.inject('/fastify/');
    expect(own.statusCode).toBe(418);
    expect(own.body).toBe('teapot');
  });
});
