/**
 * The demo service (`examples/http/hello-world.ts`, the seed README's example) in Chromium: browse it, press GET,
 * submit the POST form with each media type, follow a resources-listing link, and write the screenshots in
 * `docs/screenshots/` (light and dark) that the README shows.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Microservice, ResourceMarker, ResourceSchema } from 'microservices-ts/http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloWorld } from '../../examples/http/hello-world.js';
import { chromium as chromiumCheck } from '../helpers/services.js';
import { launchChromium } from './chromium.js';
import { readExchange } from './page-reading.js';

const check = chromiumCheck();
const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
/** A fixed port keeps the URLs in the screenshots stable; any free port is used when it is taken. */
const PREFERRED_PORT = 5087;

/** The demo plus a resources listing (the demo's own schema leaves `resources` off, as the seed's default does). */
function demoWithListing(): Microservice {
  const app = createHelloWorld();
  app.route(
    '/resources/',
    {
      endpoint: 'resources',
      description: 'Every resource of the demo, with links.',
      resource: new ResourceMarker({ schema: new ResourceSchema({ resources: 'resources' }) }),
    },
    () => 'The resources of hello-world',
  );
  return app;
}

async function listen(app: Microservice): Promise<string> {
  try {
    return await app.listen({ port: PREFERRED_PORT });
  } catch {
    return app.listen({ port: 0 });
  }
}

describe.skipIf(check.skip)('the demo service in Chromium', () => {
  let app: Microservice;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = demoWithListing();
    origin = await listen(app);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the hello page with its title, description and data', async () => {
    await page.goto(`${origin}/`);
    expect(await page.title()).toBe('Microservice API - Hello, world!');
    expect(await page.locator('header .service').textContent()).toBe('hello-world');
    expect(await page.locator('.description p').first().textContent()).toBe('Hello, world resource, testing main page');
    const shown = await readExchange(page);
    expect(shown.request).toBe('GET /');
    expect(shown.status).toBe('HTTP 200 OK');
    // The page shows the body a program gets (issue 15); the methods are in the page's own block.
    expect(shown.body).toEqual({ response: 'POST something for hello' });
    expect(await page.locator('.allowed code').allTextContents()).toContain('POST');
  });

  it('reloads /second/one/2/ with the GET button', async () => {
    await page.goto(`${origin}/second/one/2/?format=html`);
    await Promise.all([page.waitForURL(`${origin}/second/one/2/`), page.click('a.btn:text-is("GET")')]);
    const shown = await readExchange(page);
    expect(shown.request).toBe('GET /second/one/2/');
    expect(shown.body).toMatchObject({ response: ['one', 2] });
    expect(await page.title()).toBe('Microservice API - Second params two');
  });

  it.each([
    ['application/json', '{"test": "tested"}', { test: 'tested' }],
    ['application/x-www-form-urlencoded', 'test=tested&empty=', { test: 'tested', empty: '' }],
    [
      'multipart/form-data',
      '--microservices-form\nContent-Disposition: form-data; name="test"\n\ntested\n--microservices-form--',
      { test: 'tested' },
    ],
  ])('submits POST on /second/one/2/ with %s and shows [test, two, data]', async (label, content, data) => {
    await page.goto(`${origin}/second/one/2/`);
    await page.selectOption('select[name="_content_type"]', { label });
    await page.fill('textarea[name="_content"]', content);
    await Promise.all([page.waitForNavigation(), page.click('form.content-form button:text-is("POST")')]);
    const shown = await readExchange(page);
    expect(shown.request).toBe('POST /second/one/2/');
    expect(shown.status).toBe('HTTP 200 OK');
    expect(shown.body).toMatchObject({ response: ['one', 2, data] });
  });

  it('follows a link in the resources listing to the resource page', async () => {
    await page.goto(`${origin}/resources/`);
    // Two resources list the /second/ URL (the demo's second_params_two points its url there, as in the seed).
    const links = page.locator(`pre.response a[href="${origin}/second/"]`);
    expect(await links.count()).toBe(2);
    await Promise.all([page.waitForURL(`${origin}/second/`), links.first().click()]);
    expect(await page.locator('h1').textContent()).toBe('Second');
    expect((await readExchange(page)).body).toMatchObject({ response: 'SECOND' });
  });

  it('writes light and dark screenshots of the demo pages to docs/screenshots/', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots = [
      ['second-params-two', '/second/one/2/'],
      ['resources', '/resources/'],
      ['hello', '/'],
    ] as const;
    for (const colorScheme of ['light', 'dark'] as const) {
      const themed = await browser.newContext({ colorScheme, viewport: { width: 1100, height: 800 } });
      const shotPage = await themed.newPage();
      for (const [name, path] of shots) {
        await shotPage.goto(`${origin}${path}`);
        const file = `${SCREENSHOTS}${name}-${colorScheme}.png`;
        const png = await shotPage.screenshot({ path: file, fullPage: true });
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      }
      await themed.close();
    }
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${origin}/second/one/2/`);
    await phonePage.screenshot({ path: `${SCREENSHOTS}second-params-two-mobile.png`, fullPage: true });
    // A narrow screen never scrolls sideways: the layout wraps instead.
    const overflow = await phonePage.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
          .scrollWidth,
    );
    expect(overflow).toBeLessThanOrEqual(390);
    await phone.close();
  }, 120_000);
});
