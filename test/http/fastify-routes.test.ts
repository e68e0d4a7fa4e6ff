import type { FastifyContextConfig } from 'fastify';
import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { afterAll, describe, expect, it } from 'vitest';
import { listenOnFreePort, rawExchange } from './raw-http.js';

/** Milliseconds for one request; the bound in the tests is generous for a noisy shared machine. */
async function timed(app: Microservice, url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await app.inject(url);
  return { ms: performance.now() - started, status: res.statusCode };
}

describe('issue 12: every rule is a real Fastify route', () => {
  function service(): Microservice {
    const app = new Microservice('routes', { health: false }); // the probe routes would reshape the tree
    app.get('/', { resource: new ResourceMarker() }, () => 'root');
    app.route('/notes/<int:id>/', { methods: ['GET', 'PUT'], resource: new ResourceMarker() }, (req) => req.params);
    app.get('/files/<path:rest>', (req) => req.params);
    app.get('/releases/<name>-<version>-<arch>/', (req) => req.params);
    return app;
  }

  it('printRoutes lists each rule at its translated path with its methods, HEAD and OPTIONS', async () => {
    const app = service();
    await app.fastify.ready();
    const tree = app.fastify.printRoutes();
    expect(tree).toContain('notes/');
    expect(tree).toMatch(/:id\(\^\\d\+\$\)\n[\s│]+└── \/ \(GET, PUT, HEAD, OPTIONS\)/);
    expect(tree).toMatch(/files\/\n[\s│]+└── \* \(GET, HEAD, OPTIONS\)/);
    expect(tree).toMatch(/releases\/\n[\s│]+└── \* \(GET, HEAD, OPTIONS\)/);
    expect(app.fastify.hasRoute({ method: 'GET', url: '*' })).toBe(false);
    expect(app.fastify.hasRoute({ method: 'POST', url: '/notes/:id(^\\d+$)/' })).toBe(false);
  });

  it('onRoute listeners see one route per rule and method set', async () => {
    const app = new Microservice('routes');
    const seen: string[] = [];
    app.fastify.addHook('onRoute', (route) => {
      seen.push(`${[route.method].flat().join(',')} ${route.url}`);
    });
    app.get('/a/<uuid:id>', () => 1);
    app.post('/a/<uuid:id>', () => 2);
    expect(seen).toContain(
      'GET,HEAD /a/:id(^[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$)',
    );
    expect(seen.filter((line) => line.startsWith('POST '))).toHaveLength(1);
  });

  it('routes, converts, 404s, redirects and 405s exactly as before', async () => {
    const app = service();
    expect((await app.inject('/notes/7/')).json()).toEqual({ id: 7 });
    expect((await app.inject('/notes/x/')).statusCode).toBe(404);
    expect((await app.inject('/notes/7')).headers.location).toBe('/notes/7/');
    const del = await app.inject({ method: 'DELETE', url: '/notes/7/' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, PUT, OPTIONS');
    expect((await app.inject({ method: 'OPTIONS', url: '/files/a/b' })).headers.allow).toBe('GET, HEAD, OPTIONS');
    expect((await app.inject('/files/a/b%20c')).json()).toEqual({ rest: 'a/b c' });
    expect((await app.inject('/releases/foo-bar-1.0-x86/')).json()).toEqual({
      name: 'foo-bar',
      version: '1.0',
      arch: 'x86',
    });
  });

  it('a malformed URL gets the service error body, negotiated, not Fastify raw one', async () => {
    const app = service();
    const json = await app.inject('/%zz/');
    expect(json.statusCode).toBe(400);
    expect(json.json()).toEqual({ message: 'The request URL is malformed.' });
    expect(json.headers['x-content-type-options']).toBe('nosniff');
    const html = await app.inject({ url: '/notes/%zz/', headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(400);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('a malformed URL never shows a server stack, even with debug (it is a client error)', async () => {
    const app = new Microservice('debugging', { debug: true });
    app.route('/notes/', () => 'x');
    const res = await app.inject({ url: '/%zz/', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: 'The request URL is malformed.' });
    expect(res.body).not.toContain('node_modules');
  });

  it('passes Fastify route options through: config and hooks run per rule', async () => {
    const app = new Microservice('routes');
    const calls: string[] = [];
    const config = { label: 'guarded' } as FastifyContextConfig; // any per-route config a plugin or hook reads
    app.get(
      '/guarded/<int:id>/',
      {
        config,
        onRequest: (request, _reply, done) => {
          calls.push(`onRequest ${(request.routeOptions.config as { label?: string }).label}`);
          done();
        },
        preHandler: (request, reply, done) => {
          if (request.headers.authorization === undefined) reply.code(401).send({ message: 'no' });
          else done();
        },
      },
      (req) => req.params,
    );
    app.get('/open/', () => 'open');
    expect((await app.inject('/guarded/1/')).statusCode).toBe(401);
    const ok = await app.inject({ url: '/guarded/1/', headers: { authorization: 'x' } });
    expect(ok.json()).toEqual({ id: 1 });
    expect((await app.inject('/open/')).statusCode).toBe(200);
    expect(calls).toEqual(['onRequest guarded', 'onRequest guarded']);
  });

  it('an API exception thrown by a route hook renders in the rule envelope', async () => {
    const { NotAuthenticated } = await import('microservices-ts/http');
    const app = new Microservice('routes');
    app.get(
      '/secret/',
      {
        resource: new ResourceMarker({ update: { u: 1 } }),
        preHandler: async () => {
          throw new NotAuthenticated();
        },
      },
      () => 'never',
    );
    const res = await app.inject('/secret/');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ message: 'Authentication credentials were not provided.', u: 1 });
  });

  it('still picks the rule Werkzeug order picks when Fastify router would pick another', async () => {
    const app = new Microservice('routes');
    app.get('/x/<a>', () => 'segment');
    app.get('/x/<int:a>-<int:b>', () => 'pair');
    app.get('/y/<int(min=5):n>/', () => 'int');
    app.get('/y/<name>/', () => 'string');
    expect((await app.inject('/x/1-2')).json()).toBe('pair');
    expect((await app.inject('/x/1-b')).json()).toBe('segment');
    expect((await app.inject('/y/7/')).json()).toBe('int');
    expect((await app.inject('/y/3/')).json()).toBe('string');
  });
});

describe('issue 12 hardening: rule matching is linear in the path length', () => {
  const app = new Microservice('linear');
  app.get('/releases/<name>-<version>-<arch>/', (req) => req.params);
  app.get('/p/<path:a>/x/<path:b>/y/<path:c>', (req) => req.params);
  app.get('/q/<path:a>-<path:b>.<path:c>/end', (req) => req.params);

  it.each([
    ['several params in one segment', `/releases/${'-'.repeat(8192)}/x`],
    ['several params in one segment, no separators', `/releases/${'a'.repeat(8192)}/`],
    ['several path params', `/p/${'x/'.repeat(4096)}`],
    ['several path params with near-separators', `/p/${'/x/y'.repeat(2048)}`],
    ['path params separated by text', `/q/${'-.'.repeat(4096)}`],
  ])('%s: an 8 KB adversarial path answers within 200 ms', async (_name, url) => {
    await timed(app, '/releases/a-b-c/'); // warm up
    const { ms, status } = await timed(app, url);
    expect(status).toBe(404);
    expect(ms).toBeLessThan(200);
  });

  it('still matches the long paths it should', async () => {
    const long = `/p/${'a/'.repeat(2000)}x/b/y/c`;
    const res = await app.inject(long);
    expect(res.json()).toEqual({ a: 'a/'.repeat(2000).slice(0, -1), b: 'b', c: 'c' });
  });
});

describe('issue 12 hardening: single-segment parameters hold one segment', () => {
  const app = new Microservice('segments');
  app.get('/str/<name>/', (req) => ({ name: req.params.name }));
  app.get('/files/<path:rest>', (req) => ({ rest: req.params.rest }));

  it.each(['/str/..%2F..%2Fpackage.json/', '/str/a%2Fb/', '/str/a%00b/'])('%s is 404', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('package.json');
  });

  it('dot segments are refused; a path parameter refuses NUL and .. but keeps encoded slashes as slashes', async () => {
    const port = await listenOnFreePort(app);
    try {
      const raw = (path: string) =>
        rawExchange(port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`], 2000);
      // Sent raw: an HTTP client would resolve these dot segments before sending.
      expect((await raw('/str/%2E%2E/')).status).toBe(404);
      expect((await raw('/str/%2e/')).status).toBe(404);
      expect((await raw('/str/..%2Fx/')).status).toBe(404);
      expect((await raw('/files/a/../../etc/passwd')).status).toBe(404);
      expect((await raw('/files/a%00.txt')).status).toBe(404);
      const ok = await raw('/files/a%2Fb/c');
      expect(ok.status).toBe(200);
      expect(ok.response).toContain('{"rest":"a/b/c"}');
    } finally {
      await app.close();
    }
  });

  it('<int> past 2^53 is 404; <bigint> takes it exactly', async () => {
    const ids = new Microservice('ids');
    ids.get('/i/<int:id>', (req) => ({ id: req.params.id }));
    ids.get('/b/<bigint:id>', (req) => ({ id: req.params.id, type: typeof req.params.id }));
    expect((await ids.inject('/i/9007199254740991')).json()).toEqual({ id: 9007199254740991 });
    expect((await ids.inject('/i/9007199254740993')).statusCode).toBe(404);
    expect((await ids.inject('/b/9007199254740993')).json()).toEqual({ id: '9007199254740993', type: 'bigint' });
    expect(ids.urlFor('/b/<bigint:id>', { id: 9007199254740993n })).toBe('/b/9007199254740993');
  });
});

describe('issue 12 hardening: form bodies cost CPU in proportion to their size', () => {
  const app = new Microservice('forms', { formLimits: { fieldSize: 1024 } });
  let calls = 0;
  app.post('/any/', (req) => {
    calls++;
    return { fields: Object.keys(req.form).length };
  });
  app.post('/json-only/', { contentTypes: ['application/json'] }, (req) => {
    calls++;
    return req.data as object;
  });
  app.get('/get-only/', () => 'get');
  const listening = listenOnFreePort(app);
  afterAll(() => app.close());

  function multipart(count: number, value = 'v'): { payload: string; headers: Record<string, string> } {
    const boundary = 'b0undary';
    let payload = '';
    for (let i = 0; i < count; i++) {
      payload += `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\n${value}\r\n`;
    }
    payload += `--${boundary}--\r\n`;
    return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  }

  it('a urlencoded body with more than 1000 fields is 413 (counted before parsing)', async () => {
    calls = 0;
    const payload = Array.from({ length: 100_000 }, (_, i) => `k${i}=v`).join('&');
    const res = await app.inject({
      method: 'POST',
      url: '/any/',
      payload,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBe('Too many form fields (limit 1000).');
    expect(calls).toBe(0);
    const fits = Array.from({ length: 1000 }, (_, i) => `k${i}=v`).join('&');
    const ok = await app.inject({
      method: 'POST',
      url: '/any/',
      payload: fits,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(ok.json()).toEqual({ fields: 1000 });
  });

  it('a multipart body with 14 000 tiny parts is 413 before parsing them all', async () => {
    calls = 0;
    const res = await app.inject({ method: 'POST', url: '/any/', ...multipart(14_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/^Too many (parts|fields) in the multipart body \(limit 1000\)\.$/);
    expect(calls).toBe(0);
    expect((await app.inject({ method: 'POST', url: '/any/', ...multipart(10) })).json()).toEqual({ fields: 10 });
  });

  it('a multipart field over fieldSize is 413', async () => {
    const res = await app.inject({ method: 'POST', url: '/any/', ...multipart(1, 'x'.repeat(2000)) });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBe('A form field is over 1024 bytes.');
  });

  it('a GET-only rule answers 405 to a multipart POST without its override fields and never parses parts', async () => {
    const res = await app.inject({ method: 'POST', url: '/get-only/', ...multipart(14_000) });
    expect(res.statusCode).toBe(413);
    const small = await app.inject({ method: 'POST', url: '/get-only/', ...multipart(5) });
    expect(small.statusCode).toBe(405);
    expect(small.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('a method the rule lacks is 405, and an unknown path 404, before the body is sent', async () => {
    const port = await listening;
    {
      const start = (line: string) =>
        `${line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000\r\n\r\n`;
      const put = await rawExchange(port, [start('PUT /get-only/'), '{"a":'], 1500);
      expect(put.status).toBe(405);
      expect(put.response).toMatch(/allow: GET, HEAD, OPTIONS/i);
      expect((await rawExchange(port, [start('PUT /nowhere/'), '{"a":'], 1500)).status).toBe(404);
      expect((await rawExchange(port, [start('PUT /get-only'), '{"a":'], 1500)).status).toBe(308);
    }
  });

  it('a JSON-only rule answers 415 before the body is sent', async () => {
    const port = await listening;
    calls = 0;
    const head = 'POST /json-only/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 500000\r\n\r\n';
    const result = await rawExchange(port, [head, 'only the start'], 1500);
    expect(result.status).toBe(415);
    expect(calls).toBe(0);
  });
});

describe('issue 12: rules added after the server started', () => {
  it('are still served (by the service table), as before rules were Fastify routes', async () => {
    const app = new Microservice('late');
    app.get('/early/', () => 'early');
    await app.inject('/early/');
    expect(() => app.get('/late/<int:id>/', (req) => req.params)).not.toThrow();
    expect((await app.inject('/late/3/')).json()).toEqual({ id: 3 });
    expect((await app.inject({ method: 'POST', url: '/late/3/' })).statusCode).toBe(405);
  });
});
