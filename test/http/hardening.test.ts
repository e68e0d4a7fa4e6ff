import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Microservice } from 'microservices-ts/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnFreePort, rawExchange } from './raw-http.js';

let calls = 0;
function hardenedApp(options: ConstructorParameters<typeof Microservice>[1] = {}): Microservice {
  const app = new Microservice('hardening', options);
  app.route('/any/', { methods: ['POST', 'PUT'] }, (req) => {
    calls++;
    return { received: req.data };
  });
  app.post('/json-only/', { contentTypes: ['application/json'] }, (req) => {
    calls++;
    return { received: req.data };
  });
  return app;
}

describe('F1 body limits', () => {
  const app = hardenedApp();
  let port = 0;
  beforeAll(async () => {
    port = await listenOnFreePort(app);
  });
  afterAll(() => app.close());

  it('answers a 2 MiB Content-Length with 413 before the body is sent', async () => {
    calls = 0;
    const head = `POST /any/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`;
    const result = await rawExchange(port, [head, '{"a":'], 3000);
    expect(result.status).toBe(413);
    expect(result.response).toContain('Request body is too large.');
    expect(calls).toBe(0);
  });

  it('stops a chunked body that passes the limit with 413 and closes the connection', async () => {
    calls = 0;
    const chunk = Buffer.alloc(256 * 1024, 'a');
    const parts: (string | Buffer)[] = [
      'POST /any/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    ];
    for (let i = 0; i < 6; i++) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
    const result = await rawExchange(port, parts, 3000);
    expect(result.status).toBe(413);
    expect(result.closed).toBe(true);
    expect(calls).toBe(0);
  });

  it('refuses a compressed body (a gzip bomb) with 415 without inflating it', async () => {
    calls = 0;
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await app.inject({
      method: 'POST',
      url: '/any/',
      payload: bomb,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(415);
    expect(calls).toBe(0);
  });

  it('takes a configurable limit', async () => {
    const small = hardenedApp({ bodyLimit: 10 });
    const res = await small.inject({ method: 'POST', url: '/any/', payload: { long: 'x'.repeat(20) } });
    expect(res.statusCode).toBe(413);
    const fits = await small.inject({ method: 'POST', url: '/any/', payload: { a: 1 } });
    expect(fits.statusCode).toBe(200);
  });
});

describe('F2 malformed, empty, deep and fuzzed JSON', () => {
  const app = hardenedApp();
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/any/', payload, headers: { 'content-type': contentType } });

  it('invalid JSON is 400 with a JSON error body', async () => {
    const res = await post('{"a": }');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^JSON parse error/);
  });

  it('an empty body with application/json is 400', async () => {
    const res = await post('');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('JSON parse error - the body is empty');
  });

  it('100 000 nested brackets are 400 from the depth limit, not a crash', async () => {
    const res = await post('['.repeat(100_000) + ']'.repeat(100_000));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('JSON parse error - nesting deeper than 64 levels');
    expect((await post('['.repeat(64) + ']'.repeat(64))).statusCode).toBe(200);
  });

  it('2000 random bodies with random content types only give 200, 400, 413 or 415, never 5xx', async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'text/plain',
      'application/json; charset=utf-8',
      'constructor',
      'application/json garbage',
      '',
      '*/*',
    );
    const body = fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' }));
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(body, contentType, async (text, type) => {
        const res = await app.inject({
          method: 'POST',
          url: '/any/',
          payload: text,
          headers: type ? { 'content-type': type } : {},
        });
        seen.add(res.statusCode);
        return [200, 400, 413, 415].includes(res.statusCode);
      }),
      { seed: 20_26, numRuns: 2000 },
    );
    expect([...seen].every((status) => status < 500)).toBe(true);
  });
});

describe('F3 prototype poisoning', () => {
  it.each([
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"a":[{"b":{"__proto__":{"isAdmin":true}}}]}',
  ])('refuses %s with 400 and never calls the handler', async (payload) => {
    calls = 0;
    const res = await hardenedApp().inject({
      method: 'POST',
      url: '/any/',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(calls).toBe(0);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe('F3 prototype poisoning, remove mode', () => {
  it("strips the keys and answers 200 with protoPoisoning: 'remove'", async () => {
    const app = hardenedApp({ protoPoisoning: 'remove' });
    const res = await app.inject({
      method: 'POST',
      url: '/any/',
      payload: '{"__proto__":{"isAdmin":true},"keep":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: { keep: 1 } });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe('F4 content-type strictness', () => {
  const app = hardenedApp();
  const send = (headers: Record<string, string>, payload = '{"a":1}') =>
    app.inject({ method: 'POST', url: '/json-only/', payload, headers });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json garbage',
    'application/json\t;x',
    'constructor',
    'application/jsonx',
  ])('a JSON-only route answers %j with 415', async (type) => {
    calls = 0;
    const res = await send({ 'content-type': type });
    expect(res.statusCode).toBe(415);
    expect(calls).toBe(0);
  });

  it('a body without Content-Type is 415 on every route', async () => {
    for (const url of ['/json-only/', '/any/']) {
      const res = await app.inject({ method: 'POST', url, payload: Buffer.from('{"a":1}') });
      expect(res.statusCode, url).toBe(415);
    }
  });

  it('malformed JSON on a JSON-only route stays a 400', async () => {
    expect((await send({ 'content-type': 'application/json' }, '{bad')).statusCode).toBe(400);
  });

  it('Application/JSON ; charset=utf-8 is parsed as JSON', async () => {
    const res = await send({ 'content-type': 'Application/JSON ; charset=utf-8' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: { a: 1 } });
  });
});

describe('timeouts', () => {
  it('sets header and request timeouts on the server', () => {
    const app = new Microservice('timeouts');
    expect(app.fastify.server.headersTimeout).toBe(60_000);
    expect(app.fastify.server.requestTimeout).toBe(120_000);
    expect(app.fastify.server.keepAliveTimeout).toBe(72_000);
    const noRequestTimeout = new Microservice('timeouts', { requestTimeout: 0, headersTimeout: 5000 });
    expect(noRequestTimeout.fastify.server.requestTimeout).toBe(0);
    expect(noRequestTimeout.fastify.server.headersTimeout).toBe(5000);
  });

  it('answers slow headers with 408', async () => {
    const app = new Microservice('timeouts', { headersTimeout: 800, requestTimeout: 2000 });
    app.get('/', () => ({}));
    const port = await listenOnFreePort(app);
    try {
      const slow = [
        'GET / HTTP/1.1\r\n',
        'Host: x\r\n',
        400,
        'X-A: 1\r\n',
        400,
        'X-B: 1\r\n',
        400,
        'X-C: 1\r\n',
        400,
        'X-D: 1\r\n',
      ];
      const result = await rawExchange(port, slow, 3000);
      expect(result.status).toBe(408);
    } finally {
      await app.close();
    }
  });
});
