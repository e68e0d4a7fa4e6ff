/**
 * Issue 10, HTTP client: a 204 from the service (`reply(null, 204)`) made the client throw "Status code 204 not
 * in ok_statuses"; a response JSON had no nesting cap (a five-million-deep array came back as it was). Bodiless
 * statuses now give null, and response JSON has the HTTP service's nesting cap, checked without recursion.
 */

import type { ServerResponse } from 'node:http';
import { Microservice, ResourceMarker, reply as serviceReply } from 'microservices-ts/http';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, InvalidOptionError, ResponseError } from '../../src/client/index.js';
import { DEFAULT_MAX_JSON_DEPTH as SERVICE_MAX_JSON_DEPTH } from '../../src/http/json.js';
import { DEFAULT_MAX_JSON_DEPTH } from '../../src/internal/json.js';
import { reply, startServer, type TestServer } from './helpers/server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  closers.push(() => server.close());
  return server;
}
function clientFor(origin: string, options: ConstructorParameters<typeof Client>[1] = {}) {
  const client = new Client(`${origin}/`, { retry: false, ...options });
  closers.push(() => client.close());
  return client;
}
/** Sends `text` as it is, labelled JSON. */
function rawJson(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(text);
}
async function failure(promise: Promise<unknown>): Promise<ResponseError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ResponseError);
  return error as ResponseError;
}

describe('bodiless statuses (204, 205, 304) are an answer, not a failure', () => {
  it("the HTTP service's reply(null, 204) gives null, with or without a key", async () => {
    const app = new Microservice('no-content');
    app.delete('/notes/<int:id>/', { resource: new ResourceMarker() }, () => serviceReply(null, 204));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const client = clientFor(address.replace('localhost', '127.0.0.1'));
    expect(await client.delete('notes', 1)).toBeNull();
    expect(await client.delete('notes', 1, { key: 'response' })).toBeNull();
  });

  it.each([204, 205, 304])('a bare %i gives null even with okStatuses [200]', async (status) => {
    const server = await serve((_request, response) => response.writeHead(status).end());
    expect(await clientFor(server.origin, { okStatuses: [200] }).get({ key: 'response' })).toBeNull();
  });

  it('noContentStatuses: [] makes them follow okStatuses again (the seed)', async () => {
    const server = await serve((_request, response) => response.writeHead(204).end());
    const error = await failure(clientFor(server.origin, { noContentStatuses: [] }).get());
    expect(error.description).toBe('Status code 204 not in ok_statuses (200, 201, 202)');
    expect(await clientFor(server.origin, { noContentStatuses: [], okStatuses: [204] }).get()).toBeNull();
  });

  it('other 2xx statuses outside okStatuses still fail, as in the seed (add them to okStatuses)', async () => {
    const server = await serve((_request, response) => reply(response, 203, { response: 'copy' }));
    const error = await failure(clientFor(server.origin).get({ key: 'response' }));
    expect(error.description).toBe('Status code 203 not in ok_statuses (200, 201, 202)');
    expect(await clientFor(server.origin, { okStatuses: [200, 203] }).get({ key: 'response' })).toBe('copy');
  });
});

describe('response JSON nesting is capped', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it("uses the HTTP service's cap by default", () => {
    expect(DEFAULT_MAX_JSON_DEPTH).toBe(SERVICE_MAX_JSON_DEPTH);
  });

  it('refuses a five-million-deep array with ResponseError, quickly and without a stack overflow', async () => {
    const body = nested(5_000_000);
    const server = await serve((_request, response) => rawJson(response, 200, body));
    const started = performance.now();
    const error = await failure(clientFor(server.origin).get());
    expect(error.description).toBe(`JSON nesting deeper than ${DEFAULT_MAX_JSON_DEPTH} levels (maxJsonDepth)`);
    expect(error.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('accepts exactly the cap, refuses one more, and honours maxJsonDepth', async () => {
    let depth = 64;
    const server = await serve((_request, response) => rawJson(response, 200, nested(depth)));
    const client = clientFor(server.origin);
    expect(JSON.stringify(await client.get())).toBe(nested(64));
    depth = 65;
    await failure(client.get());
    depth = 200;
    expect(JSON.stringify(await clientFor(server.origin, { maxJsonDepth: 300 }).get())).toBe(nested(200));
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const value = { text: `\\"${'['.repeat(500)}`, list: [[1]] };
    const server = await serve((_request, response) => reply(response, 200, value));
    expect(await clientFor(server.origin).get()).toEqual(value);
  });

  it('a too deep error body is reported by its status', async () => {
    const server = await serve((_request, response) => rawJson(response, 500, nested(100)));
    const error = await failure(clientFor(server.origin).get());
    expect(error.description).toBe('Status code 500 not in ok_statuses (200, 201, 202)');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxJsonDepth %s', (maxJsonDepth) => {
    expect(() => new Client('http://127.0.0.1:1/', { maxJsonDepth })).toThrow(InvalidOptionError);
  });
});
