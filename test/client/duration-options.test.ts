/**
 * The client's durations are named in milliseconds with an `Ms` suffix (issue 11); the unsuffixed names stay
 * as deprecated aliases with the same behaviour, and giving both with different values is refused with
 * MS_CLIENT_INVALID_OPTION.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type ClientOptions, InvalidOptionError, TimeoutError } from '../../src/client/index.js';
import { CODES } from '../../src/errors.js';

let server: Server;
let base: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    hits += 1;
    if (request.url?.startsWith('/slow/')) return void setTimeout(() => response.end('{}'), 2_000).unref();
    response.writeHead(503, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function timedOut(options: ClientOptions, call: object = {}): Promise<unknown> {
  return new Client(base, options).get('slow', call).catch((error: unknown) => error);
}

describe('HTTP client duration options', () => {
  it('times a call out after timeoutMs, as after the deprecated timeout', async () => {
    for (const options of [{ timeoutMs: 100 }, { timeout: 100 }]) {
      const started = Date.now();
      expect(await timedOut({ ...options, retry: false })).toBeInstanceOf(TimeoutError);
      expect(Date.now() - started).toBeLessThan(1_500);
    }
    for (const call of [{ timeoutMs: 100 }, { timeout: 100 }]) {
      expect(await timedOut({ retry: false }, call)).toBeInstanceOf(TimeoutError);
    }
  });

  it('retries with baseDelayMs and maxDelayMs, as with the deprecated baseDelay and maxDelay', async () => {
    for (const retry of [
      { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
      { retries: 2, baseDelay: 1, maxDelay: 1 },
    ]) {
      hits = 0;
      await new Client(base, { retry }).get('busy').catch(() => undefined);
      expect(hits).toBe(3);
    }
  });

  it.each([
    [{ timeoutMs: 1_000, timeout: 2_000 }, 'timeoutMs', 'timeout'],
    [{ connectTimeoutMs: 1_000, connectTimeout: 2_000 }, 'connectTimeoutMs', 'connectTimeout'],
    [{ keepAliveTimeoutMs: 1_000, keepAliveTimeout: 2_000 }, 'keepAliveTimeoutMs', 'keepAliveTimeout'],
    [{ retry: { baseDelayMs: 1, baseDelay: 2 } }, 'baseDelayMs', 'baseDelay'],
    [{ retry: { maxDelayMs: 1, maxDelay: 2 } }, 'maxDelayMs', 'maxDelay'],
    [{ retry: { maxRetryAfterMs: 1, maxRetryAfter: 2 } }, 'maxRetryAfterMs', 'maxRetryAfter'],
  ] as Array<[ClientOptions, string, string]>)(
    'refuses %j: both names with different values',
    (options, name, alias) => {
      let error: unknown;
      try {
        new Client(base, options);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe(CODES.MS_CLIENT_INVALID_OPTION);
      expect((error as Error).message).toContain(`"${name}" and its deprecated alias "${alias}"`);
    },
  );

  it('refuses a call that gives timeoutMs and timeout with different values, before sending', async () => {
    hits = 0;
    const error = await new Client(base)
      .get('busy', { timeoutMs: 100, timeout: 200 })
      .catch((caught: unknown) => caught);
    expect((error as InvalidOptionError).code).toBe(CODES.MS_CLIENT_INVALID_OPTION);
    expect(hits).toBe(0);
  });

  it('accepts both names with one value', () => {
    expect(
      () => new Client(base, { timeoutMs: 5_000, timeout: 5_000, retry: { baseDelay: 5, baseDelayMs: 5 } }),
    ).not.toThrow();
  });
});
