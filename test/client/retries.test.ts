/**
 * RELIABILITY.md G2: what is retried, how often, and after how long. The server counts what it received, so
 * "never retried" means the server saw exactly one attempt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, ConnectionError, ResponseError } from '../../src/client/index.js';
import type { ClientOptions } from '../../src/client/options.js';
import { backoffMs, retryAfterMs, retryPolicy } from '../../src/client/retry.js';
import { answer, type RawHandler, type RawServer, startRawServer } from './helpers/raw-server.js';
import { reply, startServer, type TestServer } from './helpers/server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function clientFor(origin: string, options: ClientOptions = {}): InstanceType<typeof Client> {
  const client = new Client(`${origin}/`, options);
  closers.push(() => client.close());
  return client;
}
async function raw(handler: RawHandler): Promise<RawServer> {
  const server = await startRawServer(handler);
  closers.push(() => server.close());
  return server;
}
async function http(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  closers.push(() => server.close());
  return server;
}
const fast = { retries: 2, baseDelay: 5, maxDelay: 20 };

describe('G2 connection resets', () => {
  it('retries a GET reset before any response, up to the cap, then raises ConnectionError', async () => {
    const server = await raw((socket) => socket.destroy());
    const error = await clientFor(server.origin, { retry: { ...fast, retries: 3 } })
      .get()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(4);
  });

  it('never retries a POST without an idempotency key once bytes were sent', async () => {
    const server = await raw((socket) => socket.destroy());
    const error = await clientFor(server.origin, { retry: fast })
      .post({ data: { a: 1 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST that carries an idempotency key', async () => {
    const server = await raw((socket, request) => {
      if (request.indexOnSocket === 0 && server.requests.length === 1) socket.destroy();
      else answer(socket, 201, { response: request.body });
    });
    const client = clientFor(server.origin, { retry: fast });
    expect(await client.post({ data: { a: 1 }, idempotencyKey: 'k1', key: 'response' })).toBe('{"a":1}');
    expect(server.requests.map((request) => request.body)).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('retries a GET whose body was cut mid-way', async () => {
    const server = await raw((socket) => {
      if (server.requests.length === 1) {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n{"res');
        setTimeout(() => socket.destroy(), 20);
      } else answer(socket, 200, { response: 'whole' });
    });
    expect(await clientFor(server.origin, { retry: fast }).get({ key: 'response' })).toBe('whole');
    expect(server.requests).toHaveLength(2);
  });

  it('retries any method when the connection was refused (nothing was sent)', async () => {
    const server = await startServer(() => undefined);
    const origin = server.origin;
    await server.close();
    const warnings: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const error = await clientFor(origin, { retry: fast, logger })
      .post()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(warnings.filter((line) => line.includes('Retrying POST'))).toHaveLength(2);
  });
});

describe('G2 keep-alive race', () => {
  // The server answers the first request on each connection and resets the connection on the next one, as a
  // server does whose idle timeout fires just as the client reuses the socket.
  const closesReusedSockets: RawHandler = (socket, request) => {
    if (request.indexOnSocket > 0) socket.destroy();
    else answer(socket, 200, { response: request.method });
  };

  it('GETs on a reused socket that the server closed are retried on a fresh one: 0 errors surface', async () => {
    const server = await raw(closesReusedSockets);
    const client = clientFor(server.origin, { retry: fast, connections: 1 });
    for (let call = 0; call < 20; call++) expect(await client.get({ key: 'response' })).toBe('GET');
    const answered = server.requests.filter((request) => request.indexOnSocket === 0).length;
    expect(answered).toBe(20);
    // Every call after the first met a reset on the reused socket and was retried exactly once, on a fresh one.
    expect(server.requests).toHaveLength(39);
    expect(server.connections.count).toBe(20);
  });

  it('GETs at intervals jittering around the server idle timeout all succeed', async () => {
    const idleMs = 60;
    const idleTimers = new Map<object, NodeJS.Timeout>();
    const server = await raw((socket, request) => {
      clearTimeout(idleTimers.get(socket));
      answer(socket, 200, { response: request.indexOnSocket });
      // Close the connection after `idleMs` without a Keep-Alive hint, as many servers and proxies do.
      idleTimers.set(
        socket,
        setTimeout(() => socket.destroy(), idleMs),
      );
    });
    const client = clientFor(server.origin, { retry: fast, connections: 1 });
    const calls = 40;
    let succeeded = 0;
    for (let call = 0; call < calls; call++) {
      await new Promise((resolve) => setTimeout(resolve, idleMs - 15 + Math.random() * 30));
      await client.get({ key: 'response' });
      succeeded++;
    }
    for (const timer of idleTimers.values()) clearTimeout(timer);
    expect(succeeded).toBe(calls);
    expect(server.requests.length).toBeLessThanOrEqual(2 * calls);
  });

  it('a POST on such a socket is not retried: server attempts equal client attempts', async () => {
    const server = await raw(closesReusedSockets);
    const client = clientFor(server.origin, { retry: fast, connections: 1 });
    expect(await client.post({ key: 'response' })).toBe('POST');
    const error = await client.post({ key: 'response' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(2);
  });
});

describe('G2 retryable statuses', () => {
  it('waits for Retry-After on a 503 before the next attempt', async () => {
    const arrivals: number[] = [];
    const server = await http((_request, response) => {
      arrivals.push(Date.now());
      if (arrivals.length === 1) reply(response, 503, { message: 'busy' }, 'application/json', { 'retry-after': '1' });
      else reply(response, 200, { response: 'done' });
    });
    expect(await clientFor(server.origin, { retry: fast }).get({ key: 'response' })).toBe('done');
    expect(arrivals).toHaveLength(2);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries 429, 502 and 504 for a GET, at most the configured number of times', async () => {
    for (const status of [429, 502, 504]) {
      const server = await http((_request, response) => reply(response, status, { message: 'no' }));
      const error = await clientFor(server.origin, { retry: { ...fast, retries: 3 } })
        .get()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).statusCode).toBe(status);
      expect(server.hits.count).toBe(4);
    }
  });

  it('does not retry a 503 for a POST without an idempotency key', async () => {
    const server = await http((_request, response) => reply(response, 503, { message: 'busy' }));
    await expect(clientFor(server.origin, { retry: fast }).post()).rejects.toBeInstanceOf(ResponseError);
    expect(server.hits.count).toBe(1);
  });

  it('does not wait for a Retry-After longer than maxRetryAfter: the 503 is returned at once', async () => {
    const server = await http((_request, response) =>
      reply(response, 503, { message: 'later' }, 'application/json', { 'retry-after': '3600' }),
    );
    const error = await clientFor(server.origin, { retry: { ...fast, maxRetryAfter: 1000 } })
      .get()
      .catch((caught: unknown) => caught);
    expect((error as ResponseError).statusCode).toBe(503);
    expect(server.hits.count).toBe(1);
  });

  it('does not retry 500 or any status with retries off', async () => {
    const server = await http((_request, response) => reply(response, 500, { message: 'bug' }));
    await expect(clientFor(server.origin, { retry: fast }).get()).rejects.toBeInstanceOf(ResponseError);
    await expect(clientFor(server.origin).get({ retry: false })).rejects.toBeInstanceOf(ResponseError);
    expect(server.hits.count).toBe(2);
  });
});

describe('backoff and Retry-After parsing', () => {
  it('uses full jitter capped at maxDelay', () => {
    const policy = retryPolicy({ baseDelay: 100, maxDelay: 1000 });
    expect(backoffMs(policy, 0, () => 0.999)).toBe(99);
    expect(backoffMs(policy, 3, () => 0.5)).toBe(400);
    expect(backoffMs(policy, 10, () => 0.999)).toBe(999);
    expect(backoffMs(policy, 2, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
