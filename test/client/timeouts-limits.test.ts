/**
 * RELIABILITY.md G1: deadlines and the response size cap, against servers that misbehave on purpose. Every
 * call must settle (no hung promise) with the right error. Time windows are generous: the machine is shared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, ConnectionError, ResponseTooLargeError, TimeoutError } from '../../src/client/index.js';
import { startServer, type TestServer } from './helpers/server.js';

const servers: TestServer[] = [];
const clients: Array<InstanceType<typeof Client>> = [];
async function serve(handler: Parameters<typeof startServer>[0]): Promise<InstanceType<typeof Client>> {
  const server = await startServer(handler);
  servers.push(server);
  const client = new Client(`${server.origin}/`, { retry: false });
  clients.push(client);
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function timed<T>(promise: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, ms: performance.now() - started };
}

describe('G1 timeouts', () => {
  it('a server that accepts and never answers fails at the headers timeout', async () => {
    const client = await serve(() => undefined);
    const { error, ms } = await timed(client.get({ timeout: { headers: 300 } }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'MS_CLIENT_TIMEOUT', phase: 'headers' });
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5_000);
  });

  it('the total deadline covers the whole call', async () => {
    const client = await serve(() => undefined);
    const { error, ms } = await timed(client.get({ timeout: { total: 300, headers: 10_000 } }));
    expect(error).toMatchObject({ code: 'MS_CLIENT_TIMEOUT', phase: 'total' });
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5_000);
  });

  it('a number timeout is the total and the phase deadlines', async () => {
    const client = await serve(() => undefined);
    const { error } = await timed(client.get({ timeout: 200 }));
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('a server that stalls mid-body fails at the body timeout', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"partial":');
    });
    const { error, ms } = await timed(client.get({ timeout: { body: 300 } }));
    expect(error).toMatchObject({ code: 'MS_CLIENT_TIMEOUT', phase: 'body' });
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5_000);
  });

  it("a caller's abort rejects with the signal's reason and frees the call", async () => {
    const client = await serve(() => undefined);
    const controller = new AbortController();
    const pending = client.get({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(client.get({ signal: aborted })).rejects.toThrow('already');
  });

  it('a connection that is refused fails with ConnectionError', async () => {
    const server = await startServer(() => undefined);
    const origin = server.origin;
    await server.close();
    const client = new Client(`${origin}/`, { retry: false });
    clients.push(client);
    const { error } = await timed(client.get());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'MS_CLIENT_CONNECTION' });
    expect((error as Error).message).toContain(origin);
  });
});

describe('G1 response size cap', () => {
  const limit = 8 * 1024 * 1024;

  it('aborts an endless body at maxResponseSize and closes the connection', async () => {
    let written = 0;
    let closed = false;
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!closed && written < 1024 * limit) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
      };
      response.on('close', () => {
        closed = true;
      });
      pump();
    });
    servers.push(server);
    const client = new Client(`${server.origin}/`, { maxResponseSize: limit, retry: false });
    clients.push(client);
    const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = memory();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory());
    }, 5);
    const { error } = await timed(client.get());
    clearInterval(sampler);
    peak = Math.max(peak, memory());
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ code: 'MS_CLIENT_TOO_LARGE', limit });
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(true);
    // The server sent far less than the 8 GiB it would have; the client's memory grew by less than 2x the cap.
    expect(written).toBeLessThan(4 * limit);
    expect(peak - before).toBeLessThan(2 * limit);
  });

  it('refuses a declared Content-Length above the cap', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 ** 3) });
      response.write('{');
    });
    servers.push(server);
    const client = new Client(`${server.origin}/`, { maxResponseSize: limit, retry: false });
    clients.push(client);
    const { error } = await timed(client.get({ timeout: 5_000 }));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it('does not apply the cap to the Content-Length of a HEAD response', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 ** 3) });
      response.end();
    });
    servers.push(server);
    const client = new Client(`${server.origin}/`, { maxResponseSize: limit, retry: false });
    clients.push(client);
    expect(await client.head()).toBeNull();
  });

  it('accepts a body just under the cap', async () => {
    const client = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ response: 'x'.repeat(1000) }));
    });
    expect(await client.get({ key: 'response' })).toHaveLength(1000);
  });
});
