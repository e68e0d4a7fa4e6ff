/** Reading the browsable page the way a person does: the request line, status line and the JSON body text. */
import type { Page } from 'playwright-core';

export interface ShownExchange {
  /** `METHOD /path?query` from the request block. */
  readonly request: string;
  /** `HTTP 200 OK`. */
  readonly status: string;
  /** The pretty JSON body parsed back from the response block's text. */
  readonly body: unknown;
  readonly headers: string;
}

export async function readExchange(page: Page): Promise<ShownExchange> {
  const request = ((await page.locator('pre.request').textContent()) ?? '').trim();
  const status = ((await page.locator('pre.response .status').textContent()) ?? '').trim();
  const text = (await page.locator('pre.response').textContent()) ?? '';
  const blank = text.indexOf('\n\n');
  return {
    request,
    status,
    headers: text.slice(0, blank),
    body: JSON.parse(text.slice(blank + 2)),
  };
}
