/**
 * The keep-alive pool: connections are reused, capped by `connections`, and released by `close()`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, ConnectionError } from '../../src/client/index.js';
import { reply, startServer, type TestServer } from './helpers/server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
async function serve(delayMs = 0): Promise<TestServer> {
  const server = await startServer((_request, response) => {
    setTimeout(() => reply(response, 200, { response: 'ok' }), delayMs);
  });
  closers.push(() => server.close());
  return server;
}

describe('connection pool', () => {
  it('reuses keep-alive connections for sequential calls', async () => {
    const server = await serve();
    const client = new Client(`${server.origin}/`);
    closers.push(() => client.close());
    for (let call = 0; call < 10; call++) expect(await client.get({ key: 'response' })).toBe('ok');
    // undici's pool may open a second connection while the first one finishes its previous response (raw
    // undici.Pool does the same); after that the two are reused.
    expect(server.connections.count).toBeLessThanOrEqual(2);
  });

  it('opens at most `connections` connections for concurrent calls', async () => {
    const server = await serve(20);
    const client = new Client(`${server.origin}/`, { connections: 2 });
    closers.push(() => client.close());
    const results = await Promise.all(Array.from({ length: 10 }, () => client.get({ key: 'response' })));
    expect(results).toEqual(Array(10).fill('ok'));
    expect(server.connections.count).toBe(2);
  });

  it('fails calls made after close() with ConnectionError, without retrying', async () => {
    const server = await serve();
    const client = new Client(`${server.origin}/`);
    await client.get();
    await client.close();
    await expect(client.get()).rejects.toBeInstanceOf(ConnectionError);
    expect(server.hits.count).toBe(1);
  });
});
