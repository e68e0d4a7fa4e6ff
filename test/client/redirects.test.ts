/**
 * RELIABILITY.md G3: redirects are followed up to a limit, credentials never cross to another origin, and a
 * request that could smuggle a second one never leaves the client. Assertions are on what the servers received.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, InvalidRequestError, ResponseError, TooManyRedirectsError } from '../../src/client/index.js';
import { reply, startServer, type TestServer } from './helpers/server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
async function http(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  closers.push(() => server.close());
  return server;
}
function clientFor(origin: string, options: ConstructorParameters<typeof Client>[1] = {}) {
  const client = new Client(`${origin}/`, options);
  closers.push(() => client.close());
  return client;
}
const secrets = { authorization: 'Bearer secret', cookie: 'session=1', 'proxy-authorization': 'Basic eA==' };
const target = (): Promise<TestServer> =>
  http((request, response) => reply(response, 200, { response: { url: request.url, method: request.method } }));

describe('G3 redirects', () => {
  it('drops Authorization, Cookie and Proxy-Authorization on a cross-origin 302', async () => {
    const other = await target();
    const origin = await http((_request, response) => {
      response.writeHead(302, { location: `${other.origin}/landed/?x=1` }).end();
    });
    const result = await clientFor(origin.origin).get('start', { headers: secrets, key: 'response' });
    expect(result).toEqual({ url: '/landed/?x=1', method: 'GET' });
    expect(origin.requests[0]?.headers.authorization).toBe('Bearer secret');
    const landed = other.requests[0]?.headers ?? {};
    expect(landed.authorization).toBeUndefined();
    expect(landed.cookie).toBeUndefined();
    expect(landed['proxy-authorization']).toBeUndefined();
  });

  it('across origins keeps only allow-listed headers: X-Api-Key and every other custom header are dropped', async () => {
    const other = await http((request, response, body) =>
      reply(response, 200, { response: { method: request.method, body } }),
    );
    const origin = await http((_request, response) => {
      response.writeHead(307, { location: `${other.origin}/landed/` }).end();
    });
    expect(other.port).not.toBe(origin.port);
    const client = clientFor(origin.origin, { headers: { 'X-Api-Key': 'client-key' } });
    const headers = {
      'X-Api-Key': 'call-key',
      'X-Trace': 'abc',
      Accept: 'application/json',
      'Accept-Language': 'fr',
      'Content-Language': 'fr',
      'User-Agent': 'tests/1',
      ...secrets,
    };
    const result = await client.post('start', { headers, data: { a: 1 }, idempotencyKey: 'k1', key: 'response' });
    expect(result).toEqual({ method: 'POST', body: '{"a":1}' });
    expect(origin.requests[0]?.headers['x-api-key']).toBe('call-key');
    const landed = other.requests[0]?.headers ?? {};
    for (const dropped of ['x-api-key', 'x-trace', 'idempotency-key', 'authorization', 'cookie', 'proxy-authorization'])
      expect(landed[dropped], dropped).toBeUndefined();
    expect(landed).toMatchObject({
      accept: 'application/json',
      'accept-language': 'fr',
      'content-language': 'fr',
      'user-agent': 'tests/1',
      'content-type': 'application/json',
    });
  });

  it('a same-origin redirect keeps custom headers such as X-Api-Key', async () => {
    const server = await http((request, response) => {
      if (request.url === '/start/') response.writeHead(302, { location: '/landed/' }).end();
      else reply(response, 200, { response: request.url });
    });
    const client = clientFor(server.origin, { headers: { 'X-Api-Key': 'client-key' } });
    expect(await client.get('start', { headers: { 'X-Trace': 'abc' }, key: 'response' })).toBe('/landed/');
    expect(server.requests[1]?.headers).toMatchObject({ 'x-api-key': 'client-key', 'x-trace': 'abc' });
  });

  it('drops the Basic credentials of the endpoint user info across origins too', async () => {
    const other = await target();
    const origin = await http((_request, response) => {
      response.writeHead(307, { location: `${other.origin}/x/` }).end();
    });
    await clientFor(origin.origin.replace('http://', 'http://user:pw@')).get();
    expect(origin.requests[0]?.headers.authorization).toMatch(/^Basic /);
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('keeps them on a same-origin redirect', async () => {
    const server = await http((request, response) => {
      if (request.url === '/start/') response.writeHead(301, { location: '/landed/' }).end();
      else reply(response, 200, { response: request.url });
    });
    expect(await clientFor(server.origin).get('start', { headers: secrets, key: 'response' })).toBe('/landed/');
    const landed = server.requests[1]?.headers ?? {};
    expect(landed.authorization).toBe('Bearer secret');
    expect(landed.cookie).toBe('session=1');
    expect(landed['proxy-authorization']).toBe('Basic eA==');
  });

  it('fails after 5 redirects with TooManyRedirectsError', async () => {
    const server = await http((_request, response) => {
      response.writeHead(302, { location: '/again/' }).end();
    });
    const error = await clientFor(server.origin)
      .get('again')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TooManyRedirectsError);
    expect(error).toMatchObject({ code: 'MS_CLIENT_REDIRECTS' });
    expect(server.hits.count).toBe(6);
  });

  it('turns a POST into a GET without a body on 303, and keeps method and body on 307', async () => {
    const server = await http((request, response, body) => {
      if (request.url === '/see-other/') response.writeHead(303, { location: '/landed/' }).end();
      else if (request.url === '/temporary/') response.writeHead(307, { location: '/landed/' }).end();
      else reply(response, 200, { response: { method: request.method, body } });
    });
    const client = clientFor(server.origin);
    expect(await client.post('see-other', { data: { a: 1 }, key: 'response' })).toEqual({ method: 'GET', body: '' });
    expect(server.requests[1]?.headers['content-type']).toBeUndefined();
    expect(await client.post('temporary', { data: { a: 1 }, key: 'response' })).toEqual({
      method: 'POST',
      body: '{"a":1}',
    });
  });

  it('does not follow a redirect to another scheme', async () => {
    const server = await http((_request, response) => {
      response.writeHead(302, { location: 'file:///etc/passwd' }).end();
    });
    await expect(clientFor(server.origin).get()).rejects.toThrow(/will not follow to file:/);
  });

  it('with maxRedirects 0 a 302 is a response like any other (not in ok_statuses)', async () => {
    const server = await http((_request, response) => {
      reply(response, 302, { moved: true }, 'application/json', { location: '/elsewhere/' });
    });
    const error = await clientFor(server.origin, { maxRedirects: 0 })
      .get()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).description).toBe('Status code 302 not in ok_statuses (200, 201, 202)');
  });
});

describe('G3 header injection', () => {
  it('refuses CR, LF or NUL in the method or a header value with 0 connections opened', async () => {
    const server = await http((_request, response) => reply(response, 200, {}));
    const client = clientFor(server.origin);
    const attempts = [
      client.request('GET /x HTTP/1.1\r\nHost: evil\r\n\r\nGET'),
      client.get({ headers: { 'x-a': 'ok\r\nSet-Cookie: evil' } }),
      client.get({ headers: { 'x-a': 'ok\nx-b: evil' } }),
      client.get({ headers: { 'x-a': 'nul\0' } }),
      client.get({ auth: { bearer: 'tok\r\nx-b: evil' } }),
      client.post({ data: {}, contentType: 'json\r\nx-b: evil' }),
      client.get({ params: 'p\r\n' }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.connections.count).toBe(0);
    expect(server.hits.count).toBe(0);
  });
});
