/**
 * The browsable page's controls in a real Chromium, with JavaScript on and off: the GET button and format
 * menu, the POST/PUT/PATCH content form with each media type, DELETE, OPTIONS, and a resources-listing link.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumCheck } from '../helpers/services.js';
import { useChromium } from './chromium.js';
import { useFixtureService } from './fixture-service.js';
import { readExchange } from './page-reading.js';

const check = chromiumCheck();

const MULTIPART = [
  '--microservices-form',
  'Content-Disposition: form-data; name="title"',
  '',
  'Hello multipart',
  '--microservices-form',
  'Content-Disposition: form-data; name="attachment"; filename="note.txt"',
  'Content-Type: text/plain',
  '',
  'file body',
  '--microservices-form--',
].join('\n');

const MEDIA_TYPES = [
  {
    label: 'application/json',
    content: '{"title": "Hello JSON", "tags": ["a", "b"], "n": 2}',
    received: { title: 'Hello JSON', tags: ['a', 'b'], n: 2 },
    uploaded: {},
  },
  {
    label: 'application/x-www-form-urlencoded',
    content: 'title=Hello+form&empty=&n=2',
    received: { title: 'Hello form', empty: '', n: '2' },
    uploaded: {},
  },
  {
    label: 'multipart/form-data',
    content: MULTIPART,
    received: { title: 'Hello multipart' },
    uploaded: { attachment: 'note.txt' },
  },
] as const;

describe.skipIf(check.skip)('browsable page controls in Chromium', () => {
  const chromium = useChromium();
  const fixture = useFixtureService();

  describe.each([
    ['JavaScript on', true],
    ['JavaScript off', false],
  ])('with %s', (_label, javaScriptEnabled) => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await chromium.browser.newContext({ javaScriptEnabled });
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
    });

    it('shows the resource page for a browser with title, description and allowed methods', async () => {
      const response = await page.goto(`${fixture.service.origin}/notes/`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.title()).toBe('Microservice API - Notes');
      expect(await page.locator('h1').textContent()).toBe('Notes');
      expect(await page.locator('.description li').allTextContents()).toEqual([
        'GET: list the notes',
        'POST, PUT, PATCH: echo the request data',
        'DELETE: remove (echoes too)',
      ]);
      expect(await page.locator('.allowed code').allTextContents()).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']),
      );
      const shown = await readExchange(page);
      expect(shown.request).toBe('GET /notes/');
      expect(shown.status).toBe('HTTP 200 OK');
      expect(shown.headers).toContain('X-Handled-By: notes');
    });

    it('reloads the resource with the GET button', async () => {
      await page.goto(`${fixture.service.origin}/notes/?page=2&format=html`);
      const before = fixture.service.ledger.length;
      await Promise.all([
        page.waitForURL(`${fixture.service.origin}/notes/?page=2`),
        page.click('a.btn:text-is("GET")'),
      ]);
      expect((await readExchange(page)).request).toBe('GET /notes/?page=2');
      expect(fixture.service.ledger.length).toBe(before + 1);
    });

    it('opens the JSON format from the format menu', async () => {
      await page.goto(`${fixture.service.origin}/notes/`);
      await page.click('details.menu > summary');
      const [response] = await Promise.all([
        page.waitForResponse(/format=json/),
        page.click('.menu-list a:text-is("json")'),
      ]);
      expect(response.headers()['content-type']).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ method: 'GET' });
    });

    for (const method of ['POST', 'PUT', 'PATCH'] as const) {
      for (const media of MEDIA_TYPES) {
        it(`submits ${method} with ${media.label} and shows the resulting page`, async () => {
          await page.goto(`${fixture.service.origin}/notes/`);
          await page.selectOption('select[name="_content_type"]', { label: media.label });
          await page.fill('textarea[name="_content"]', media.content);
          const before = fixture.service.ledger.length;
          const [response] = await Promise.all([
            page.waitForNavigation(),
            page.click(`form.content-form button:text-is("${method}")`),
          ]);
          expect(response?.status()).toBe(200);
          const shown = await readExchange(page);
          expect(shown.request).toBe(`${method} /notes/`);
          expect(shown.status).toBe('HTTP 200 OK');
          expect(shown.body).toMatchObject({ method, received: media.received, uploaded: media.uploaded });
          expect(fixture.service.ledger.slice(before)).toEqual([
            expect.objectContaining({ method, data: media.received }),
          ]);
        });
      }
    }

    it('sends DELETE from the DELETE button and shows the resulting page', async () => {
      await page.goto(`${fixture.service.origin}/notes/`);
      const before = fixture.service.ledger.length;
      await Promise.all([page.waitForNavigation(), page.click('button:text-is("DELETE")')]);
      const shown = await readExchange(page);
      expect(shown.request).toBe('DELETE /notes/');
      expect(shown.body).toMatchObject({ method: 'DELETE' });
      expect(fixture.service.ledger.slice(before).map((entry) => entry.method)).toEqual(['DELETE']);
    });

    it('sends OPTIONS from the OPTIONS button without calling the handler', async () => {
      await page.goto(`${fixture.service.origin}/notes/`);
      const before = fixture.service.ledger.length;
      const expectedMethod = javaScriptEnabled ? 'OPTIONS' : 'POST';
      const [response] = await Promise.all([
        page.waitForResponse((candidate) => candidate.request().method() === expectedMethod),
        page.click('button:text-is("OPTIONS")'),
      ]);
      expect(response.status()).toBe(204);
      expect(response.headers().allow?.split(/,\s*/)).toEqual(expect.arrayContaining(['GET', 'DELETE', 'OPTIONS']));
      expect(fixture.service.ledger.length).toBe(before);
      if (javaScriptEnabled) {
        // With script the page shows the response, which a 204 form submission cannot.
        await expect.poll(() => page.locator('pre.options-result').textContent()).toContain('HTTP 204');
        expect(await page.locator('pre.options-result').textContent()).toMatch(/^allow: .*DELETE/m);
      } else {
        expect(page.url()).toBe(`${fixture.service.origin}/notes/`);
      }
    });

    it('follows a link in the resources listing', async () => {
      await page.goto(`${fixture.service.origin}/`);
      const link = page.locator(`pre.response a[href="${fixture.service.origin}/notes/"]`);
      expect(await link.count()).toBe(1);
      await Promise.all([page.waitForURL(`${fixture.service.origin}/notes/`), link.click()]);
      expect(await page.locator('h1').textContent()).toBe('Notes');
    });

    it('follows a breadcrumb back to the API root', async () => {
      await page.goto(`${fixture.service.origin}/notes/`);
      await Promise.all([page.waitForURL(`${fixture.service.origin}/`), page.click('.crumbs a:text-is("API root")')]);
      expect(await page.locator('h1').textContent()).toBe('Root');
    });
  });
});
