import { Microservice } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { CompiledRule } from '../../src/http/rules.js';
import { listenOnFreePort, rawExchange } from './raw-http.js';

describe('Werkzeug-style rules (checklist item 2)', () => {
  it('converts <int>, <float>, <string>, default, <path>, <uuid> and <any> parameters to typed values', async () => {
    const app = new Microservice('rules');
    app.get('/i/<int:n>/', (req) => ({ n: req.params.n, type: typeof req.params.n }));
    app.get('/f/<float:x>/', (req) => ({ x: req.params.x, type: typeof req.params.x }));
    app.get('/s/<string:s>/<d>/', (req) => [req.params.s, req.params.d]);
    app.get('/p/<path:rest>', (req) => ({ rest: req.params.rest }));
    app.get('/u/<uuid:id>', (req) => ({ id: req.params.id }));
    app.get('/a/<any(red, blue):colour>', (req) => ({ colour: req.params.colour }));
    expect((await app.inject('/i/42/')).json()).toEqual({ n: 42, type: 'number' });
    expect((await app.inject('/f/1.5/')).json()).toEqual({ x: 1.5, type: 'number' });
    expect((await app.inject('/s/one/two/')).json()).toEqual(['one', 'two']);
    expect((await app.inject('/p/a/b/c.txt')).json()).toEqual({ rest: 'a/b/c.txt' });
    expect((await app.inject('/u/0F1E2D3C-0000-4000-8000-00000000abcd')).json()).toEqual({
      id: '0f1e2d3c-0000-4000-8000-00000000abcd',
    });
    expect((await app.inject('/a/blue')).json()).toEqual({ colour: 'blue' });
  });

  it('gives 404 when a converter does not match', async () => {
    const app = new Microservice('rules');
    app.get('/i/<int:n>/', (req) => req.params.n);
    app.get('/f/<float:x>/', (req) => req.params.x);
    app.get('/u/<uuid:id>', (req) => req.params.id);
    app.get('/a/<any(red,blue):colour>', (req) => req.params.colour);
    for (const url of ['/i/abc/', '/i/-1/', '/f/1/', '/u/not-a-uuid', '/a/green']) {
      expect((await app.inject(url)).statusCode, url).toBe(404);
    }
  });

  it('percent-decodes parameters', async () => {
    const app = new Microservice('rules');
    app.get('/s/<name>/', (req) => ({ name: req.params.name }));
    expect((await app.inject('/s/hello%20w%C3%B6rld/')).json()).toEqual({ name: 'hello wörld' });
  });

  it('honours converter arguments (min, max, signed, length)', async () => {
    const app = new Microservice('rules');
    app.get('/n/<int(min=1, max=10):n>', (req) => req.params.n);
    app.get('/s/<int(signed=True):n>', (req) => req.params.n);
    app.get('/c/<string(length=2):code>', (req) => req.params.code);
    expect((await app.inject('/n/10')).statusCode).toBe(200);
    expect((await app.inject('/n/11')).statusCode).toBe(404);
    expect((await app.inject('/n/0')).statusCode).toBe(404);
    expect((await app.inject('/s/-3')).body).toBe('-3');
    expect((await app.inject('/c/ab')).statusCode).toBe(200);
    expect((await app.inject('/c/abc')).statusCode).toBe(404);
  });

  it('prefers a static rule and the more specific converter when rules overlap', async () => {
    const app = new Microservice('rules');
    app.get('/x/<name>/', () => 'string');
    app.get('/x/<int:id>/', () => 'int');
    app.get('/x/new/', () => 'static');
    expect((await app.inject('/x/new/')).json()).toBe('static');
    expect((await app.inject('/x/7/')).json()).toBe('int');
    expect((await app.inject('/x/seven/')).json()).toBe('string');
  });

  it('builds URLs back from parameters, extra ones going to the query string', () => {
    const rule = new CompiledRule('/second/<string:test>/<int(fixed_digits=3):two>/');
    expect(rule.build({ test: 'a b', two: 7, q: 'x' })).toBe('/second/a%20b/007/?q=x');
    expect(() => rule.build({ test: 'a' })).toThrow(/missing parameter "two"/);
  });
});

describe('trailing slash (checklist item 3)', () => {
  it('redirects /x to /x/ with 308 keeping the query, and gives 404 for /y/ when the rule is /y', async () => {
    const app = new Microservice('slash');
    app.get('/x/', () => 'x');
    app.get('/y', () => 'y');
    const redirect = await app.inject('/x?a=1&b=2');
    expect(redirect.statusCode).toBe(308);
    expect(redirect.headers.location).toBe('/x/?a=1&b=2');
    expect((await app.inject('/y/')).statusCode).toBe(404);
    expect((await app.inject('/y')).json()).toBe('y');
  });

  it('never redirects to another site: a /\\host path (read by browsers as //host) is not redirected', async () => {
    const app = new Microservice('slash');
    app.get('/<path:anything>/', () => 'caught');
    const port = await listenOnFreePort(app);
    try {
      const plain = await rawExchange(port, ['GET /a/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 3000);
      expect(plain.response).toMatch(/location: \/a\/b\//i);
      const sneaky = await rawExchange(
        port,
        ['GET /\\evil.test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
        3000,
      );
      expect(sneaky.status).toBe(404);
      expect(sneaky.response).not.toMatch(/location:/i);
    } finally {
      await app.close();
    }
  });
});
