/**
 * The HTTP service's durations are named in milliseconds with an `Ms` suffix (issue 11); the unsuffixed names
 * stay as deprecated aliases with the same behaviour, and giving both with different values is refused.
 */
import { describe, expect, it } from 'vitest';
import { idleTimeoutOf } from '../../src/http/connections.js';
import { HttpService, type MicroserviceOptions } from '../../src/http/index.js';

function serverTimeouts(options: MicroserviceOptions) {
  const { server } = new HttpService('durations', options).fastify;
  return {
    request: server.requestTimeout,
    headers: server.headersTimeout,
    keepAlive: server.keepAliveTimeout,
    connection: idleTimeoutOf(server),
  };
}

describe('HTTP service duration options', () => {
  it('sets the server timeouts from the Ms names', () => {
    expect(
      serverTimeouts({
        requestTimeoutMs: 9_000,
        headersTimeoutMs: 4_000,
        keepAliveTimeoutMs: 3_000,
        connectionTimeoutMs: 7_000,
      }),
    ).toEqual({ request: 9_000, headers: 4_000, keepAlive: 3_000, connection: 7_000 });
  });

  it('gives the deprecated names the same behaviour', () => {
    expect(
      serverTimeouts({
        requestTimeout: 9_000,
        headersTimeout: 4_000,
        keepAliveTimeout: 3_000,
        connectionTimeout: 7_000,
      }),
    ).toEqual(
      serverTimeouts({
        requestTimeoutMs: 9_000,
        headersTimeoutMs: 4_000,
        keepAliveTimeoutMs: 3_000,
        connectionTimeoutMs: 7_000,
      }),
    );
  });

  it('accepts both names with one value', () => {
    expect(serverTimeouts({ requestTimeout: 9_000, requestTimeoutMs: 9_000 }).request).toBe(9_000);
  });

  it.each([
    ['requestTimeoutMs', 'requestTimeout'],
    ['headersTimeoutMs', 'headersTimeout'],
    ['keepAliveTimeoutMs', 'keepAliveTimeout'],
    ['drainTimeoutMs', 'drainTimeout'],
    ['connectionTimeoutMs', 'connectionTimeout'],
  ])('refuses %s and %s with different values', (name, alias) => {
    expect(() => new HttpService('durations', { [name]: 1_000, [alias]: 2_000 })).toThrow(
      new TypeError(
        `HTTP service options: "${name}" and its deprecated alias "${alias}" are both given, with different values; give only "${name}"`,
      ),
    );
  });
});
