/**
 * Launching Debian's Chromium through playwright-core for the browser tests (no downloaded browser).
 * Flags keep it quiet on a shared 2-core machine: no GPU, no background networking, no first-run work.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_PATH } from '../helpers/services.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Starts Chromium before the enclosing suite's tests and closes it after them; read `.browser` inside tests.
 */
export function useChromium(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser(): Browser {
      if (browser === undefined) throw new Error('Chromium has not been started (use inside tests)');
      return browser;
    },
  };
}
