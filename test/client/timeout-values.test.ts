/**
 * Issue 10: deadlines past what a Node timer holds (2^31-1 ms) fired at once with a TimeoutOverflowWarning, and
 * `Infinity` failed with an unrelated error. Long deadlines (Infinity included) are clamped to MAX_TIMEOUT_MS;
 * 0, negative, NaN and non-numbers are refused with MS_CLIENT_INVALID_OPTION before anything is sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, InvalidOptionError, MAX_TIMEOUT_MS, type Timeouts } from '../../src/client/index.js';
import { reply, startServer, type TestServer } from './helpers/server.js';

const servers: TestServer[] = [];
const clients: Array<InstanceType<typeof Client>> = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server that answers after `delayMs`, so a deadline that fires at once is seen. */
async function slowServer(delayMs: number): Promise<TestServer> {
  const server = await startServer((_request, response) => {
    setTimeout(() => reply(response, 200, { response: 'late' }), delayMs);
  });
  servers.push(server);
  return server;
}

function track(client: InstanceType<typeof Client>): InstanceType<typeof Client> {
  clients.push(client);
  return client;
}

/** Runs `body` and returns the process warnings emitted meanwhile. */
async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(`${warning.name}: ${warning.message}`);
  };
  process.on('warning', onWarning);
  try {
    await body();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

const THIRTY_DAYS = 30 * 24 * 3600 * 1000;

describe('long timeouts are clamped to what a Node timer holds', () => {
  it('MAX_TIMEOUT_MS is 2^31-1 ms', () => {
    expect(MAX_TIMEOUT_MS).toBe(2_147_483_647);
  });

  it.each([
    ['2^31', 2 ** 31],
    ['30 days', THIRTY_DAYS],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['{ total: Infinity, headers: 2^31, body: 30 days }', { total: Infinity, headers: 2 ** 31, body: THIRTY_DAYS }],
  ] as Array<[string, number | Timeouts]>)('a call with timeout %s waits for a slow answer', async (_name, timeout) => {
    const server = await slowServer(300);
    const client = track(new Client(`${server.origin}/`, { retry: false }));
    const warnings = await warningsDuring(async () => {
      expect(await client.get({ timeout, key: 'response' })).toBe('late');
    });
    expect(warnings.filter((warning) => warning.startsWith('TimeoutOverflowWarning'))).toEqual([]);
  });

  it('a client with timeout Infinity and connectTimeout 2^31 waits for a slow answer', async () => {
    const server = await slowServer(300);
    const client = track(new Client(`${server.origin}/`, { retry: false, timeout: Infinity, connectTimeout: 2 ** 31 }));
    const warnings = await warningsDuring(async () => {
      expect(await client.get({ key: 'response' })).toBe('late');
    });
    expect(warnings.filter((warning) => warning.startsWith('TimeoutOverflowWarning'))).toEqual([]);
  });
});

describe('invalid timeouts are refused before anything is sent', () => {
  const invalid: Array<[string, unknown]> = [
    ['NaN', Number.NaN],
    ['0', 0],
    ['-1', -1],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a string', '5000'],
    ['{ total: NaN }', { total: Number.NaN }],
    ['{ headers: 0 }', { headers: 0 }],
    ['{ body: -5 }', { body: -5 }],
  ];

  it.each(invalid)('a call with timeout %s rejects with MS_CLIENT_INVALID_OPTION', async (_name, timeout) => {
    const server = await slowServer(0);
    const client = track(new Client(`${server.origin}/`, { retry: false }));
    const error = await client.get({ timeout: timeout as number }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'MS_CLIENT_INVALID_OPTION' });
    expect((error as Error).message).toMatch(/^timeout(\.\w+)? must be a positive number of milliseconds/);
    expect(server.connections.count).toBe(0);
  });

  it.each(invalid)('new Client with timeout %s throws MS_CLIENT_INVALID_OPTION', (_name, timeout) => {
    expect(() => new Client('http://127.0.0.1:1/', { timeout: timeout as number })).toThrow(InvalidOptionError);
  });

  it.each([Number.NaN, 0, -1])('new Client with connectTimeout %s throws MS_CLIENT_INVALID_OPTION', (value) => {
    expect(() => new Client('http://127.0.0.1:1/', { connectTimeout: value })).toThrow(
      /^connectTimeout must be a positive number/,
    );
  });
});

describe('other numeric options are checked too (issue 10: what else nearby takes NaN silently)', () => {
  it.each([
    ['maxRedirects', { maxRedirects: Number.NaN }],
    ['maxRedirects', { maxRedirects: -1 }],
    ['maxRedirects', { maxRedirects: 1.5 }],
    ['maxResponseSize', { maxResponseSize: -2 }],
    ['maxResponseSize', { maxResponseSize: Number.NaN }],
    ['connections', { connections: 0 }],
    ['keepAliveTimeout', { keepAliveTimeout: 0 }],
    ['retry.retries', { retry: { retries: Number.NaN } }],
    ['retry.retries', { retry: { retries: -1 } }],
    ['retry.baseDelay', { retry: { baseDelay: Number.NaN } }],
    ['retry.maxDelay', { retry: { maxDelay: -1 } }],
    ['retry.maxRetryAfter', { retry: { maxRetryAfter: Number.NaN } }],
  ] as Array<[string, ConstructorParameters<typeof Client>[1]]>)('new Client refuses a bad %s', (name, options) => {
    expect(() => new Client('http://127.0.0.1:1/', options)).toThrow(
      new RegExp(`^${name.replace('.', '\\.')} must be`),
    );
  });

  it('accepts the edge values: maxRedirects 0, maxResponseSize -1, retries 0, delays 0', () => {
    const options = { maxRedirects: 0, maxResponseSize: -1, retry: { retries: 0, baseDelay: 0, maxDelay: 0 } };
    expect(() => track(new Client('http://127.0.0.1:1/', options))).not.toThrow();
  });

  it.each([
    ['maxRedirects', { maxRedirects: Number.NaN }],
    ['retry.retries', { retry: { retries: Number.NaN } }],
  ] as Array<[string, object]>)('a call with a bad %s rejects before anything is sent', async (name, options) => {
    const server = await slowServer(0);
    const client = track(new Client(`${server.origin}/`));
    await expect(client.get(options)).rejects.toMatchObject({
      code: 'MS_CLIENT_INVALID_OPTION',
      message: expect.stringMatching(new RegExp(`^${name.replace('.', '\\.')} must be`)),
    });
    expect(server.connections.count).toBe(0);
  });
});
