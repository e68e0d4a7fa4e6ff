import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { pageChromeCacheBudget, pageChromeCacheBytes } from '../../src/http/browsable/page-chrome.js';

function pageApp(): Microservice {
  const app = new Microservice('chrome');
  app.route('/notes/', { methods: ['GET', 'POST', 'PUT', 'DELETE'], resource: new ResourceMarker() }, () => ({
    notes: [1, 2, 3],
  }));
  return app;
}

const html = { accept: 'text/html' };

describe('issue 12: the page-chrome cache is bounded by bytes, not entries', () => {
  it('stays within its byte budget after 60 requests with distinct 14 KB queries (about 10 MiB of chrome)', async () => {
    const app = pageApp();
    for (let i = 0; i < 60; i++) {
      const res = await app.inject({ url: `/notes/?i=${i}&q=${'a'.repeat(14 * 1024)}`, headers: html });
      expect(res.statusCode).toBe(200);
    }
    expect(pageChromeCacheBytes()).toBeLessThanOrEqual(pageChromeCacheBudget());
    expect(pageChromeCacheBudget()).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('stays within its byte budget when many mid-sized queries fill it, evicting the oldest', async () => {
    const app = pageApp();
    // Each of these is cached (tens of KB of chrome), so together they are about twice the budget.
    for (let i = 0; i < 400; i++) {
      await app.inject({ url: `/notes/?i=${i}&q=${'<b>'.repeat(300)}`, headers: html });
    }
    expect(pageChromeCacheBytes()).toBeGreaterThan(pageChromeCacheBudget() / 2);
    expect(pageChromeCacheBytes()).toBeLessThanOrEqual(pageChromeCacheBudget());
  });

  it('gives byte-identical pages whether the chrome was built, cached or evicted in between', async () => {
    const app = pageApp();
    const first = await app.inject({ url: '/notes/?a=1', headers: html });
    const cached = await app.inject({ url: '/notes/?a=1', headers: html });
    for (let i = 0; i < 400; i++) await app.inject({ url: `/notes/?i=${i}&q=${'x'.repeat(3000)}`, headers: html });
    const rebuilt = await app.inject({ url: '/notes/?a=1', headers: html });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<nav class="crumbs"');
    expect(cached.body).toBe(first.body);
    expect(rebuilt.body).toBe(first.body);
  });
});
