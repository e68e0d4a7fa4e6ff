import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

describe('static assets at /api/static/ (checklist item 1)', () => {
  const app = new Microservice('static');
  app.get('/', { resource: new ResourceMarker() }, () => 'home');

  it('serves the page CSS with caching headers, and the page references its assets there', async () => {
    const page = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    const links = [...page.body.matchAll(/(?:href|src)="(\/api\/static\/[^"]+)"/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      const res = await app.inject(link ?? '');
      expect(res.statusCode, link).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
      expect(res.headers.etag).toMatch(/^".+"$/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('answers If-None-Match with 304', async () => {
    const first = await app.inject('/api/static/css/page.css');
    expect(first.headers['content-type']).toBe('text/css; charset=utf-8');
    const again = await app.inject({
      url: '/api/static/css/page.css',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('gives 404 for unknown assets and traversal attempts', async () => {
    for (const url of [
      '/api/static/nope.css',
      '/api/static/../../package.json',
      '/api/static/%2e%2e/%2e%2e/package.json',
      '/api/static/css/../../static.ts',
      '/api/static/',
    ]) {
      expect((await app.inject(url)).statusCode, url).toBe(404);
    }
  });
});
