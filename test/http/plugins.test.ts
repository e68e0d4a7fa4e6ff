import { gunzipSync } from 'node:zlib';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance } from 'fastify';
import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

/**
 * Issue 12: Fastify plugins registered on `app.fastify` behave as on a plain Fastify app. Each test registers
 * the plugin first (as on a plain app), then the service's rules: converters, a `path` rule, a rule Fastify's
 * router can only take by prefix, and marked resources.
 */
async function serviceWith(setup: (fastify: FastifyInstance) => Promise<unknown>): Promise<Microservice> {
  const app = new Microservice('plugins', { schema: { resources: 'resources' } });
  await setup(app.fastify);
  app.get('/', { resource: new ResourceMarker() }, () => ({ hello: 'world' }));
  app.route('/notes/<int:id>/', { methods: ['GET', 'PUT'], resource: new ResourceMarker() }, (req) => ({
    id: req.params.id,
  }));
  app.get('/files/<path:rest>', (req) => ({ rest: req.params.rest }));
  app.get('/releases/<name>-<version>-<arch>/', (req) => req.params);
  return app;
}

/** The same plugin on a plain Fastify app with the equivalent routes. */
async function plainWith(setup: (fastify: FastifyInstance) => Promise<unknown>): Promise<FastifyInstance> {
  const fastify = Fastify();
  await setup(fastify);
  fastify.get('/', async () => ({ hello: 'world' }));
  fastify.route({ method: ['GET', 'PUT'], url: '/notes/:id/', handler: async (request) => request.params });
  fastify.get('/files/*', async (request) => request.params);
  return fastify;
}

function headersStartingWith(headers: Record<string, unknown>, prefix: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith(prefix)));
}

describe('issue 12: @fastify/cors', () => {
  const setup = async (fastify: FastifyInstance) =>
    fastify.register(cors, { origin: 'https://app.example', methods: ['GET', 'PUT'] });
  const preflight = {
    method: 'OPTIONS' as const,
    headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
  };

  it('answers preflight requests as on a plain Fastify app, on every kind of rule', async () => {
    const app = await serviceWith(setup);
    const plain = await plainWith(setup);
    const expected = await plain.inject({ ...preflight, url: '/notes/1/' });
    expect(expected.statusCode).toBe(204);
    for (const url of ['/notes/1/', '/files/a/b', '/releases/a-b-c/', '/']) {
      const res = await app.inject({ ...preflight, url });
      expect(res.statusCode, url).toBe(204);
      expect(headersStartingWith(res.headers, 'access-control-'), url).toEqual(
        headersStartingWith(expected.headers, 'access-control-'),
      );
    }
  });

  it('adds CORS headers to simple requests; a bare OPTIONS is judged by the plugin as on a plain app', async () => {
    const app = await serviceWith(setup);
    const plain = await plainWith(setup);
    const headers = { origin: 'https://app.example' };
    const res = await app.inject({ url: '/notes/1/', headers });
    const expected = await plain.inject({ url: '/notes/1/', headers });
    expect(res.json()).toMatchObject({ id: 1, resources: { '/': { methods: ['GET', 'HEAD', 'OPTIONS'] } } });
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(headersStartingWith(res.headers, 'access-control-')).toEqual(
      headersStartingWith(expected.headers, 'access-control-'),
    );
    // strictPreflight: an OPTIONS without Origin is refused by the plugin's hook, before any route.
    const bare = await app.inject({ method: 'OPTIONS', url: '/notes/1/' });
    expect(bare.statusCode).toBe((await plain.inject({ method: 'OPTIONS', url: '/notes/1/' })).statusCode);
    expect(bare.statusCode).toBe(400);
  });

  it('registers next to a rule that takes every path (no duplicated OPTIONS route)', async () => {
    const app = new Microservice('catch-all');
    await app.fastify.register(cors, { origin: true });
    app.get('/<path:anything>', (req) => req.params);
    await app.fastify.ready();
    const res = await app.inject({ ...preflight, url: '/x/y' });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    expect((await app.inject('/x/y')).json()).toEqual({ anything: 'x/y' });
  });
});

describe('issue 12: @fastify/helmet', () => {
  it('sets the same security headers on JSON responses as on a plain Fastify app', async () => {
    const setup = async (fastify: FastifyInstance) => fastify.register(helmet);
    const app = await serviceWith(setup);
    const plain = await plainWith(setup);
    const expected = await plain.inject('/notes/1/');
    const res = await app.inject('/notes/1/');
    const names = ['strict-transport-security', 'x-frame-options', 'cross-origin-opener-policy', 'referrer-policy'];
    for (const name of names) expect(res.headers[name], name).toBe(expected.headers[name]);
    expect(res.headers['content-security-policy']).toBe(expected.headers['content-security-policy']);
    // 404s and redirects come from the not-found handler; the hooks run there too.
    expect((await app.inject('/missing/')).headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('issue 12: @fastify/rate-limit', () => {
  it('answers 429 after the per-route limit, only on that rule', async () => {
    const app = new Microservice('limits');
    await app.fastify.register(rateLimit, { global: false });
    app.get(
      '/limited/<int:id>/',
      { resource: new ResourceMarker(), config: { rateLimit: { max: 2, timeWindow: '1 minute' } } },
      (req) => ({ id: req.params.id }),
    );
    app.get('/free/<int:id>/', (req) => ({ id: req.params.id }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject('/limited/1/')).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await app.inject('/limited/2/');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json().message).toMatch(/Rate limit exceeded/);
    for (let i = 0; i < 5; i++) expect((await app.inject('/free/1/')).statusCode).toBe(200);
  });

  it('applies a global limit to every rule as on a plain Fastify app', async () => {
    const setup = async (fastify: FastifyInstance) => fastify.register(rateLimit, { max: 1, timeWindow: 60_000 });
    const app = await serviceWith(setup);
    const plain = await plainWith(setup);
    const sequence = async (inject: (url: string) => Promise<{ statusCode: number }>) => [
      (await inject('/notes/1/')).statusCode,
      (await inject('/notes/1/')).statusCode,
    ];
    expect(await sequence((url) => app.inject(url))).toEqual([200, 429]);
    expect(await sequence((url) => plain.inject(url))).toEqual([200, 429]);
  });
});

describe('issue 12: @fastify/under-pressure', () => {
  it('exposes its status route and answers 503 while the health check fails', async () => {
    let healthy = true;
    const app = await serviceWith(async (fastify) =>
      fastify.register(underPressure, {
        exposeStatusRoute: '/status',
        healthCheck: async () => healthy,
        healthCheckInterval: 20,
      }),
    );
    await app.fastify.ready();
    expect((await app.inject('/status')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/notes/3/')).statusCode).toBe(200);
    healthy = false;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await app.inject('/notes/3/')).statusCode).toBe(503);
    healthy = true;
    await app.close();
  });
});

describe('issue 12: @fastify/swagger', () => {
  it('lists every rule with its path parameters', async () => {
    const app = await serviceWith(async (fastify) =>
      fastify.register(swagger, { openapi: { info: { title: 'plugins', version: '1.0.0' } } }),
    );
    await app.fastify.ready();
    const document = app.fastify.swagger() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: { type: string } }[] }>>;
    };
    expect(Object.keys(document.paths).sort()).toEqual(
      ['/', '/files/{rest}', '/notes/{id}/', '/releases/{name}-{version}-{arch}/'].sort(),
    );
    const names = (path: string, method = 'get') =>
      (document.paths[path]?.[method]?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    expect(names('/notes/{id}/')).toEqual(['id']);
    expect(names('/notes/{id}/', 'put')).toEqual(['id']);
    expect(document.paths['/notes/{id}/']?.get?.parameters?.[0]?.schema.type).toBe('integer');
    expect(names('/files/{rest}')).toEqual(['rest']);
    expect(names('/releases/{name}-{version}-{arch}/')).toEqual(['name', 'version', 'arch']);
  });
});

describe('issue 12: @fastify/compress', () => {
  it('compresses JSON and the browsable page, as on a plain Fastify app', async () => {
    const setup = async (fastify: FastifyInstance) => fastify.register(compress, { threshold: 0 });
    const app = await serviceWith(setup);
    const plain = await plainWith(setup);
    const headers = { 'accept-encoding': 'gzip' };
    const expected = await plain.inject({ url: '/notes/1/', headers });
    const res = await app.inject({ url: '/notes/1/', headers });
    expect(res.headers['content-encoding']).toBe(expected.headers['content-encoding']);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.rawPayload).toString('utf8'))).toEqual((await app.inject('/notes/1/')).json());
    const page = await app.inject({ url: '/', headers: { ...headers, accept: 'text/html' } });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(page.rawPayload).toString('utf8')).toContain('<!doctype html>');
  });
});
