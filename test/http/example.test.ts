import { Client } from 'microservices-ts/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloWorld } from '../../examples/http/hello-world.js';

/** The seed README's service and the results its client example prints (DOC behaviour: strings rendered). */
describe('examples/http/hello-world.ts (the seed README example)', () => {
  const app = createHelloWorld();
  let base = '';
  beforeAll(async () => {
    base = await app.listen({ port: 0 });
  });
  afterAll(() => app.close());

  const call = async (method: string, path: string, data?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { accept: 'application/json', ...(data === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(data === undefined ? {} : { body: JSON.stringify(data) }),
    });
    return { status: res.status, body: (await res.json()) as { response?: unknown } & Record<string, unknown> };
  };

  it('answers the README curl: GET /second/one/2/ gives {"response":["one",2]}', async () => {
    const res = await fetch(`${base}/second/one/2/`, { headers: { accept: 'application/json' } });
    expect(await res.text()).toBe('{"response":["one",2]}');
  });

  it('gives every result the README client example prints', async () => {
    expect((await call('GET', '/')).body.response).toBe('POST something for hello');
    expect((await call('POST', '/', { test: 'tested' })).body).toEqual({ test: 'tested' });
    expect((await call('GET', '/second/')).body.response).toBe('SECOND');
    expect((await call('POST', '/second/', { test: 'tested' })).body).toEqual({ test: 'tested' });
    expect((await call('GET', '/second/test/')).body.response).toBe('test');
    expect((await call('POST', '/second/test/')).body).toEqual({});
    expect((await call('GET', '/second/one/2/')).body.response).toEqual(['one', 2]);
    expect((await call('POST', '/second/one/2/', { test: 'tested' })).body).toEqual({
      response: ['one', 2, { test: 'tested' }],
    });
  });

  it("gives the seed README client example's printed results through this project's Client", async () => {
    const client = new Client(`${base}/`);
    expect(await client.get({ key: 'response' })).toBe('POST something for hello');
    expect(await client.post({ data: { test: 'tested' } })).toEqual({ test: 'tested' });
    const second = client.resource('second');
    expect(await second.get({ key: 'response' })).toBe('SECOND');
    expect(await second.post({ data: { test: 'tested' } })).toEqual({ test: 'tested' });
    expect(await second.get('test', { key: 'response' })).toBe('test');
    expect(await second.post('test')).toEqual({});
    const oneTwo = second.resource('one', '2');
    expect(await oneTwo.get({ key: 'response' })).toEqual(['one', 2]);
    expect(await oneTwo.post({ data: { test: 'tested' } })).toEqual({ response: ['one', 2, { test: 'tested' }] });
  });

  it('lists resources with the URLs the markers describe', () => {
    expect([...app.resources.keys()]).toEqual([
      '/second/',
      '/second/<string:test>/',
      '/second/<string:test>/<int:two>/',
      '/',
    ]);
    expect(app.urlFor('second_params', { test: 'something' })).toBe('/second/something/');
    expect(app.resources.get('/second/')?.endpoints).toEqual(['second', 'second_post']);
  });

  it('shows the browsable page to browsers, titled from the endpoint', async () => {
    const res = await fetch(`${base}/second/`, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>Microservice API - Second</title>');
  });
});
