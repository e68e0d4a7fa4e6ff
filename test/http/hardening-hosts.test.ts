import { Microservice, ResourceMarker, ResourceSchema } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { listenOnFreePort, rawExchange } from './raw-http.js';

function hostApp(options: ConstructorParameters<typeof Microservice>[1] = {}): Microservice {
  const app = new Microservice('hosts', options);
  app.get(
    '/list/',
    { resource: new ResourceMarker({ schema: new ResourceSchema({ resources: 'resources' }) }) },
    () => ({}),
  );
  app.get('/notes/', { resource: new ResourceMarker() }, function notes() {
    return {};
  });
  app.get('/self/', (req) => ({ self: req.urlFor('notes', {}, { external: true }), origin: req.origin }));
  return app;
}

async function notesUrl(app: Microservice, headers: Record<string, string>): Promise<unknown> {
  const res = await app.inject({ url: '/list/', headers });
  expect(res.statusCode).toBe(200);
  return res.json().resources['/notes/'].url;
}

function bodyOf(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

describe('issue 12: allowedHosts refuses other hosts', () => {
  const app = hostApp({ allowedHosts: ['api.example.com', 'localhost:5000', '*.internal.example.com'] });

  it('a listed host is answered and named in absolute URLs', async () => {
    expect(await notesUrl(app, { host: 'api.example.com' })).toBe('http://api.example.com/notes/');
    expect(await notesUrl(app, { host: 'API.Example.com:8080' })).toBe('http://API.Example.com:8080/notes/');
    expect(await notesUrl(app, { host: 'localhost:5000' })).toBe('http://localhost:5000/notes/');
    expect(await notesUrl(app, { host: 'a.b.internal.example.com' })).toBe('http://a.b.internal.example.com/notes/');
  });

  it('any other host is a negotiated 400 before the handler runs', async () => {
    for (const host of ['evil.example', 'localhost:6000', 'internal.example.com', 'evilinternal.example.com', 'a/b']) {
      const res = await app.inject({ url: '/list/', headers: { host } });
      expect(res.statusCode, host).toBe(400);
      expect(res.json(), host).toEqual({ message: 'The request names a host this service does not serve.' });
      expect(res.body).not.toContain('evil');
    }
    const page = await app.inject({ url: '/list/', headers: { host: 'evil.example', accept: 'text/html' } });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).not.toContain('evil.example');
  });

  it('refuses a forged Host on a real socket, and answers HTTP/1.0 without Host with the listening address', async () => {
    const served = hostApp({ allowedHosts: ['api.example.com'] });
    const port = await listenOnFreePort(served);
    try {
      const forged = await rawExchange(port, [
        'GET /list/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
      ]);
      expect(forged.status).toBe(400);
      const noHost = await rawExchange(port, ['GET /list/ HTTP/1.0\r\n\r\n']);
      expect(noHost.response).toMatch(/^HTTP\/1\.1 200/);
      expect(JSON.parse(bodyOf(noHost.response)).resources['/notes/'].url).toBe(`http://127.0.0.1:${port}/notes/`);
    } finally {
      await served.close();
    }
  });

  it('refuses malformed entries when the service is made', () => {
    expect(() => new Microservice('x', { allowedHosts: ['http://api.example.com'] })).toThrow(TypeError);
    expect(() => new Microservice('x', { allowedHosts: ['a/b'] })).toThrow(TypeError);
    expect(() => new Microservice('x', { allowedHosts: ['*'] })).toThrow(TypeError);
  });
});

describe('issue 12: without allowedHosts no absolute URL has an empty or malformed host', () => {
  it('HTTP/1.0 without Host names the address the connection reached, not http:///', async () => {
    const app = hostApp();
    const port = await listenOnFreePort(app);
    try {
      const result = await rawExchange(port, ['GET /list/ HTTP/1.0\r\n\r\n']);
      expect(JSON.parse(bodyOf(result.response)).resources['/notes/'].url).toBe(`http://127.0.0.1:${port}/notes/`);
      const self = await rawExchange(port, ['GET /self/ HTTP/1.0\r\n\r\n']);
      expect(JSON.parse(bodyOf(self.response))).toEqual({
        self: `http://127.0.0.1:${port}/notes/`,
        origin: `http://127.0.0.1:${port}`,
      });
      const malformed = await rawExchange(port, ['GET /list/ HTTP/1.0\r\nHost: evil.example/x?\r\n\r\n']);
      expect(JSON.parse(bodyOf(malformed.response)).resources['/notes/'].url).toBe(`http://127.0.0.1:${port}/notes/`);
    } finally {
      await app.close();
    }
  });
});

describe('issue 12: publicUrl names the service in every absolute URL', () => {
  const app = hostApp({ publicUrl: 'https://api.example.com' });

  it('whatever Host the request sent', async () => {
    expect(await notesUrl(app, { host: 'evil.example' })).toBe('https://api.example.com/notes/');
    const self = await app.inject({ url: '/self/', headers: { host: 'evil.example' } });
    expect(self.json()).toEqual({ self: 'https://api.example.com/notes/', origin: 'https://api.example.com' });
  });

  it("in the browsable page's links too", async () => {
    const page = await app.inject({ url: '/list/', headers: { host: 'evil.example', accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="https://api.example.com/notes/"');
    expect(page.body).not.toContain('evil.example');
  });

  it('and without a Host header', async () => {
    const served = hostApp({ publicUrl: 'https://api.example.com:8443/' });
    const port = await listenOnFreePort(served);
    try {
      const result = await rawExchange(port, ['GET /list/ HTTP/1.0\r\n\r\n']);
      expect(JSON.parse(bodyOf(result.response)).resources['/notes/'].url).toBe('https://api.example.com:8443/notes/');
    } finally {
      await served.close();
    }
  });

  it('is allowed as a host when allowedHosts is set', async () => {
    const both = hostApp({ publicUrl: 'https://api.example.com', allowedHosts: ['localhost'] });
    expect((await both.inject({ url: '/list/', headers: { host: 'api.example.com' } })).statusCode).toBe(200);
    expect((await both.inject({ url: '/list/', headers: { host: 'localhost:80' } })).statusCode).toBe(200);
    expect((await both.inject({ url: '/list/', headers: { host: 'evil.example' } })).statusCode).toBe(400);
  });

  it('must be a bare http(s) origin', () => {
    for (const publicUrl of [
      'api.example.com',
      'ftp://api.example.com',
      'https://api.example.com/base/',
      'https://u:p@a.b',
    ]) {
      expect(() => new Microservice('x', { publicUrl }), publicUrl).toThrow(TypeError);
    }
  });
});

describe('issue 12: X-Forwarded-Host counts only with trustProxy', () => {
  it('without trustProxy the forwarded host is ignored, for URLs and for allowedHosts', async () => {
    const app = hostApp({ allowedHosts: ['api.example.com'] });
    const headers = { host: 'api.example.com', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    expect(await notesUrl(app, headers)).toBe('http://api.example.com/notes/');
    const forged = await app.inject({
      url: '/list/',
      headers: { host: 'evil.example', 'x-forwarded-host': 'api.example.com' },
    });
    expect(forged.statusCode).toBe(400);
  });

  it('with trustProxy the forwarded host and scheme are the ones checked and used', async () => {
    const app = hostApp({ allowedHosts: ['api.example.com'], trustProxy: true });
    const headers = { host: '10.0.0.5:5000', 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' };
    expect(await notesUrl(app, headers)).toBe('https://api.example.com/notes/');
    const forged = await app.inject({
      url: '/list/',
      headers: { host: 'api.example.com', 'x-forwarded-host': 'evil.example' },
    });
    expect(forged.statusCode).toBe(400);
  });
});
