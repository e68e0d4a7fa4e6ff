/**
 * The generated body form in Chromium, with JavaScript on and off: fill it, submit, see the 201 and the data;
 * submit data only the service refuses, see the issues beside their fields with everything typed still there;
 * with JavaScript, the tabs and the array rows. Also writes the form screenshots in `docs/screenshots/`
 * (light, dark and a 390 px phone).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Microservice } from 'microservices-ts/http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium as chromiumCheck } from '../helpers/services.js';
import { useChromium } from './chromium.js';
import { notesFormService } from './notes-form-service.js';
import { readExchange } from './page-reading.js';

const check = chromiumCheck();
const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function fillNote(page: Page, title: string, author: string): Promise<void> {
  const form = page.locator('form.fields-form');
  await form.getByLabel('title').fill(title);
  await form.getByLabel('priority').fill('2');
  await form.getByLabel('kind').selectOption('task');
  await form.getByLabel('done').check();
  await form.getByLabel('due').fill('2026-12-24');
  await form.getByLabel('tags 1').fill('home');
  await form.getByLabel('name').fill(author);
}

async function submitFields(page: Page): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click('form.fields-form button:text-is("POST")')]);
}

describe.skipIf(check.skip)('the generated body form in Chromium', () => {
  const chromium = useChromium();
  let app: Microservice;
  let origin: string;

  beforeAll(async () => {
    app = notesFormService();
    origin = await app.listen({ port: 0 });
  });

  afterAll(async () => {
    await app?.close();
  });

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

    it('fills the form, submits it and shows the 201 with the data', async () => {
      await page.goto(`${origin}/notes/`);
      await fillNote(page, 'Buy milk', 'Ada');
      await submitFields(page);
      const shown = await readExchange(page);
      expect(shown.request).toBe('POST /notes/');
      expect(shown.status).toBe('HTTP 201 Created');
      expect(shown.body).toEqual({
        id: expect.any(Number),
        title: 'Buy milk',
        priority: 2,
        kind: 'task',
        done: true,
        due: '2026-12-24',
        tags: ['home'],
        author: { name: 'Ada' },
      });
    });

    it('shows the issues of a 400 beside their fields and loses nothing typed', async () => {
      await page.goto(`${origin}/notes/`);
      await fillNote(page, 'TODO milk', 'anonymous');
      await submitFields(page);
      expect((await readExchange(page)).status).toBe('HTTP 400 Bad Request');
      const form = page.locator('form.fields-form');
      expect(await form.locator('.field-error').allTextContents()).toEqual([
        'Say what to do instead of TODO',
        'Sign with your name',
      ]);
      expect(await form.getByLabel('title').getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByLabel('title').inputValue()).toBe('TODO milk');
      expect(await form.getByLabel('priority').inputValue()).toBe('2');
      expect(await form.getByLabel('kind').inputValue()).toBe('"task"');
      expect(await form.getByLabel('done').isChecked()).toBe(true);
      expect(await form.getByLabel('due').inputValue()).toBe('2026-12-24');
      expect(await form.getByLabel('tags 1').inputValue()).toBe('home');
      expect(await form.getByLabel('name').inputValue()).toBe('anonymous');
      // Fixing the fields and sending again works from the same page.
      await form.getByLabel('title').fill('Buy oat milk');
      await form.getByLabel('name').fill('Ada');
      await submitFields(page);
      expect((await readExchange(page)).status).toBe('HTTP 201 Created');
    });

    it('offers only application/json in the raw tab of this JSON-only route', async () => {
      await page.goto(`${origin}/notes/`);
      const labels = await page.locator('select[name="_content_type"] option').allTextContents();
      expect(labels).toEqual(['application/json']);
    });
  });

  it('with JavaScript: tabs switch panels, array rows are added and sent in order', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/notes/`);
    expect(await page.locator('#panel-raw').isHidden()).toBe(true);
    await page.click('[role="tab"]:text-is("Raw content")');
    expect(await page.locator('#panel-raw').isVisible()).toBe(true);
    expect(await page.locator('#panel-fields').isHidden()).toBe(true);
    await page.click('[role="tab"]:text-is("Form")');
    await fillNote(page, 'Three tags', 'Ada');
    const form = page.locator('form.fields-form');
    await form.locator('button.row-add').click();
    await form.getByLabel('tags 2').fill('work');
    await form.locator('button.row-add').click();
    await form.getByLabel('tags 3').fill('later');
    await form.locator('li.row').nth(1).locator('button.row-remove').click();
    await submitFields(page);
    expect((await readExchange(page)).body).toMatchObject({ tags: ['home', 'later'] });
    await context.close();
  });

  it('writes light, dark and 390 px screenshots of the form after a 400', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots = [
      ['notes-form-light', { colorScheme: 'light', viewport: { width: 1100, height: 800 } }],
      ['notes-form-dark', { colorScheme: 'dark', viewport: { width: 1100, height: 800 } }],
      ['notes-form-mobile', { colorScheme: 'light', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 }],
    ] as const;
    for (const [name, options] of shots) {
      const context = await chromium.browser.newContext(options);
      const page = await context.newPage();
      await page.goto(`${origin}/notes/`);
      await fillNote(page, 'TODO milk', 'anonymous');
      await submitFields(page);
      const png = await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const overflow = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
            .scrollWidth,
      );
      expect(overflow).toBeLessThanOrEqual(options.viewport.width);
      await context.close();
    }
  }, 120_000);
});
