/**
 * Internal signals that many pending operations listen on at once (an AMQP consumer channel's end) take any number of listeners without Node's "possible memory leak" warning; each still fires once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sharedAbortController } from '../../src/internal/shared-signal.js';

const warnings: string[] = [];
const onWarning = (warning: Error): void => void warnings.push(warning.name);
process.on('warning', onWarning);
afterEach(() => {
  warnings.length = 0;
});

async function settleWarnings(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('sharedAbortController', () => {
  it('takes 100 listeners without a warning and calls each once on abort', async () => {
    const controller = sharedAbortController();
    let calls = 0;
    for (let n = 0; n < 100; n++) controller.signal.addEventListener('abort', () => calls++, { once: true });
    controller.abort();
    await settleWarnings();
    expect(calls).toBe(100);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
