import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('HEAD, OPTIONS, 404 and 405 (checklist items 4 and 39, RELIABILITY F6)', () => {
  const app = new Microservice('routing');
  app.route('/r/', { methods: ['GET', 'POST'] }, () => ({ ok: true }));

  it('serves HEAD for a GET route with the same headers and no body', async () => {
    const get = await app.inject('/r/');
    const head = await app.inject({ method: 'HEAD', url: '/r/' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
  });

  it('answers OPTIONS with 204, an empty body and Allow (we follow F6: 204, the seed sent 200)', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/r/' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('gives 405 with Allow listing exactly the path methods', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/r/' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(res.json()).toEqual({ message: 'The method is not allowed for the requested URL.' });
  });

  it('gives 405 (never 500) for a method token Fastify does not route, such as PURGE', async () => {
    const res = await app.inject({ method: 'PURGE' as 'GET', url: '/r/' });
    expect(res.statusCode).toBe(405);
  });

  it('renders 404 as JSON for programs and as an escaped HTML page for browsers', async () => {
    const json = await app.inject('/missing');
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual({ message: 'The requested URL was not found on the server.' });
    const html = await app.inject({ url: '/<script>alert(1)</script>', headers: { accept: BROWSER } });
    expect(html.statusCode).toBe(404);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).not.toContain('<script>alert(1)</script>');
  });

  it('renders 405 as an HTML page with Allow for browsers', async () => {
    const res = await app.inject({ method: 'PUT', url: '/r/', headers: { accept: BROWSER } });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('resource records (checklist items 5, 6 and 7)', () => {
  it('lists the union of all methods of all routes on a rule, HEAD and OPTIONS included', async () => {
    const app = new Microservice('records');
    app.get('/m/', { resource: new ResourceMarker({ schema: { methods: 'methods' } }) }, function m_get() {
      return {};
    });
    app.post('/m/', { resource: new ResourceMarker() }, function m_post() {
      return {};
    });
    app.delete('/m/', function m_delete() {
      return {};
    });
    const record = app.resources.get('/m/');
    expect(record?.methods).toEqual(['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']);
    expect(record?.endpoints).toEqual(['m_get', 'm_post', 'm_delete']);
    expect((await app.inject('/m/')).json()).toEqual({ methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'] });
  });

  it('deep-merges two markers on one rule and keeps three or more endpoints without crashing a listing', async () => {
    const app = new Microservice('records');
    app.get('/a/', { resource: new ResourceMarker({ update: { one: 1, nested: { x: 1 } } }) }, function a1() {
      return [1];
    });
    app.post('/a/', { resource: new ResourceMarker({ update: { two: 2, nested: { y: 2 } } }) }, function a2() {
      return [2];
    });
    app.put('/a/', { resource: new ResourceMarker() }, function a3() {
      return [3];
    });
    app.get('/list/', { resource: new ResourceMarker({ schema: { resources: 'resources' } }) }, () => ({}));
    expect(app.resources.get('/a/')?.endpoints).toEqual(['a1', 'a2', 'a3']);
    expect((await app.inject('/a/')).json()).toEqual({ response: [1], one: 1, two: 2, nested: { x: 1, y: 2 } });
    const listing = await app.inject('/list/');
    expect(listing.statusCode).toBe(200);
    expect(listing.json().resources['/a/'].methods).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']);
  });

  it('applies the envelope to an unmarked route sharing the rule with a marked one', async () => {
    const app = new Microservice('records');
    app.get('/mixed/', { resource: new ResourceMarker({ update: { u: 1 } }) }, () => ['get']);
    app.post('/mixed/', () => ['post-no-marker']);
    expect((await app.inject({ method: 'POST', url: '/mixed/' })).json()).toEqual({
      response: ['post-no-marker'],
      u: 1,
    });
  });

  it('renders plain JSON with no envelope on a rule without any marker (checklist item 8)', async () => {
    const app = new Microservice('records');
    app.get('/d/', () => ({ a: 1 }));
    app.get('/l/', () => [1, 2]);
    expect((await app.inject('/d/')).json()).toEqual({ a: 1 });
    expect((await app.inject('/l/')).json()).toEqual([1, 2]);
  });
});

describe('urlFor', () => {
  it('builds relative and external URLs for endpoints, available to handlers', async () => {
    const app = new Microservice('urls');
    app.get('/notes/<int:id>/', function note(req) {
      return {
        self: req.urlFor('note', { id: req.params.id }),
        abs: req.urlFor('note', { id: 2 }, { external: true }),
      };
    });
    const res = await app.inject({ url: '/notes/1/', headers: { host: 'example.test:8080' } });
    expect(res.json()).toEqual({ self: '/notes/1/', abs: 'http://example.test:8080/notes/2/' });
    expect(app.urlFor('note', { id: 5, q: 'x' })).toBe('/notes/5/?q=x');
    const proxied = new Microservice('urls', { trustProxy: true });
    proxied.get('/n/', function n(req) {
      return { abs: req.urlFor('n', {}, { external: true }) };
    });
    const behindProxy = await proxied.inject({
      url: '/n/',
      headers: { host: 'internal:5000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.test' },
    });
    expect(behindProxy.json()).toEqual({ abs: 'https://api.example.test/n/' });
    expect(() => app.urlFor('nope')).toThrow(/no endpoint named "nope"/);
  });
});
