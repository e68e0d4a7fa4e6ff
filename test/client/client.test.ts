/**
 * Verbs, bodies, headers, resources, naming and logging (checklist 50-52, 59, 60), asserted on what a real
 * server received.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BaseClient, Client, InvalidRequestError, type RawResponse } from '../../src/client/index.js';
import type { Logger } from '../../src/logging.js';
import { echo, type Recorded, startServer, type TestServer } from './helpers/server.js';

interface Echoed {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string>;
}

const lines: Array<{ level: string; message: string }> = [];
const logger: Logger = {
  trace: (message) => lines.push({ level: 'trace', message }),
  debug: (message) => lines.push({ level: 'debug', message }),
  info: (message) => lines.push({ level: 'info', message }),
  warn: (message) => lines.push({ level: 'warn', message }),
  error: (message) => lines.push({ level: 'error', message }),
};

let server: TestServer;
let client: InstanceType<typeof Client>;
const last = (): Recorded => {
  const recorded = server.requests.at(-1);
  if (!recorded) throw new Error('the server received nothing');
  return recorded;
};

beforeAll(async () => {
  server = await startServer(echo);
  client = new Client(`${server.origin}/`, { logger });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
beforeEach(() => {
  lines.length = 0;
});

describe('verbs (checklist 50)', () => {
  it.each(['get', 'post', 'put', 'patch', 'delete', 'options'] as const)(
    '%s sends its method upper-cased',
    async (verb) => {
      const echoed = await client[verb]<Echoed>('a', { key: 'response' });
      expect(echoed.method).toBe(verb.toUpperCase());
      expect(echoed.url).toBe('/a/');
    },
  );

  it('head sends HEAD and gives null for the empty body', async () => {
    expect(await client.head('a')).toBeNull();
    expect(last().method).toBe('HEAD');
  });

  it('any other verb name works through the Proxy: client.purge() sends PURGE', async () => {
    const purge = client.purge;
    expect(typeof purge).toBe('function');
    const echoed = (await client.purge?.('cache', { key: 'response' })) as Echoed;
    expect(echoed.method).toBe('PURGE');
    expect(last().url).toBe('/cache/');
  });

  it('request(method, ...parts, options) sends any method', async () => {
    expect((await client.request<Echoed>('report', 'x', 1, { key: 'response' })).method).toBe('REPORT');
    expect(last().url).toBe('/x/1/');
  });

  it('does not turn probing names into verbs (a client is not a thenable)', () => {
    expect((client as unknown as Record<string, unknown>).then).toBeUndefined();
    expect((client as unknown as Record<string, unknown>).toJSON).toBeUndefined();
  });

  it('refuses a method with CR/LF and a path part that is neither string nor number', async () => {
    await expect(client.request('GET\r\nX: y')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.get(true as unknown as string)).rejects.toThrow(/string or a number/);
  });
});

describe('bodies (checklist 51)', () => {
  it('sends data as JSON by default', async () => {
    await client.post({ data: { test: 'tested' } });
    expect(last().body).toBe('{"test":"tested"}');
    expect(last().headers['content-type']).toBe('application/json');
  });

  it('uses a json-ish contentType as the Content-Type', async () => {
    await client.post({ data: [1], contentType: 'application/vnd.api+json' });
    expect(last().headers['content-type']).toBe('application/vnd.api+json');
    expect(last().body).toBe('[1]');
  });

  it("sends a raw string or bytes with contentType 'body'", async () => {
    await client.post({ data: 'raw text', contentType: 'body', headers: { 'content-type': 'text/plain' } });
    expect(last().body).toBe('raw text');
    expect(last().headers['content-type']).toBe('text/plain');
    await client.post({ data: Buffer.from('bytes'), contentType: 'body' });
    expect(last().body).toBe('bytes');
  });

  it('form-encodes an object with form (and with body, as requests did)', async () => {
    await client.post({ data: { a: 'b c', n: [1, 2] }, contentType: 'form' });
    expect(last().body).toBe('a=b+c&n=1&n=2');
    expect(last().headers['content-type']).toBe('application/x-www-form-urlencoded');
    await client.put({ data: { a: 1 }, contentType: 'body' });
    expect(last().body).toBe('a=1');
  });

  it('sends multipart fields and files', async () => {
    await client.post({
      data: { field: 'value', file: new File(['file content'], 'notes.txt', { type: 'text/plain' }) },
      contentType: 'multipart',
    });
    expect(last().headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(last().body).toContain('name="field"');
    expect(last().body).toContain('value');
    expect(last().body).toContain('filename="notes.txt"');
    expect(last().body).toContain('file content');
  });

  it('drops the body for any other contentType, as the seed did, and warns', async () => {
    await client.post({ data: { a: 1 }, contentType: 'xml' });
    expect(last().body).toBe('');
    expect(lines.some((line) => line.level === 'warn' && line.message.includes('data dropped'))).toBe(true);
  });

  it('sends no body for null data', async () => {
    await client.post({ data: null });
    expect(last().body).toBe('');
  });
});

describe('headers and credentials (checklist 52)', () => {
  it('passes call headers through, over the client headers', async () => {
    const withDefaults = new Client(`${server.origin}/`, { headers: { 'x-app': 'notes', 'x-over': 'client' } });
    try {
      await withDefaults.get({ headers: { 'X-Over': 'call', 'x-list': ['a', 'b'] } });
      expect(last().headers['x-app']).toBe('notes');
      expect(last().headers['x-over']).toBe('call');
      expect(last().headers['x-list']).toBe('a, b');
    } finally {
      await withDefaults.close();
    }
  });

  it('sends Basic credentials from the endpoint user info, and per-call auth instead', async () => {
    const withUser = new Client(`http://user:p%40ss@127.0.0.1:${server.port}/`);
    try {
      await withUser.get();
      expect(last().headers.authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
      await withUser.get({ auth: { bearer: 'tok' } });
      expect(last().headers.authorization).toBe('Bearer tok');
      await withUser.get({ auth: { username: 'a', password: 'b' } });
      expect(last().headers.authorization).toBe(`Basic ${Buffer.from('a:b').toString('base64')}`);
    } finally {
      await withUser.close();
    }
  });

  it('sends an idempotency key as Idempotency-Key', async () => {
    await client.post({ idempotencyKey: 'order-42' });
    expect(last().headers['idempotency-key']).toBe('order-42');
  });

  it('refuses CR, LF or NUL in a header value or name before sending anything', async () => {
    const before = server.hits.count;
    await expect(client.get({ headers: { 'x-a': 'b\r\nx-b: c' } })).rejects.toMatchObject({
      code: 'MS_CLIENT_INVALID_HEADER',
    });
    await expect(client.get({ headers: { 'x-a': 'b\0' } })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.get({ headers: { 'x a': 'b' } })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.get({ fragment: 'a\nb' })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.hits.count).toBe(before);
  });
});

describe('resources (checklist 59)', () => {
  it('prefixes paths and chains without changing the parent', async () => {
    const parent = client.resource('one', 'two');
    const child = parent.resource('x');
    expect((await parent.get<Echoed>('three', { key: 'response' })).url).toBe('/one/two/three/');
    expect((await child.post<Echoed>({ data: {}, key: 'response' })).url).toBe('/one/two/x/');
    expect((await parent.get<Echoed>({ key: 'response' })).url).toBe('/one/two/');
    expect(parent.resources).toEqual(['one', 'two']);
    expect(child.resources).toEqual(['one', 'two', 'x']);
  });

  it('has every verb, including dynamic ones, and nested parts as in the seed test', async () => {
    const jopa = client.resource('jopa');
    for (const parts of [
      ['1', '2', '3'],
      ['1/2', '3'],
      ['1/2', '3/'],
    ]) {
      await jopa.post(...parts, { query: { test: 'tested' } });
      expect(last().url).toBe('/jopa/1/2/3/?test=tested');
    }
    await jopa.resource('1').purge?.();
    expect(last()).toMatchObject({ method: 'PURGE', url: '/jopa/1/' });
  });
});

describe('name and logging (checklist 60)', () => {
  it('is named <client: endpoint-as-given> with the password masked', () => {
    const named = new Client('http://user:secret@h:5000/api/?q=1');
    expect(String(named)).toBe('<client: http://user:**@h:5000/api/?q=1>');
    expect(String(new Client('http://h:5000/', { name: 'notes' }))).toBe('notes');
    return named.close();
  });

  it('logs DEBUG "Request METHOD for URL" per call (issue 13: not INFO), prefixed with the name, password masked', async () => {
    const masked = new Client(`http://user:secret@127.0.0.1:${server.port}/`, { logger });
    try {
      await masked.get('x', { query: { a: 1 } });
      expect(lines.filter((line) => line.level === 'info')).toEqual([]);
      const requests = lines
        .filter((line) => line.message.includes('Request GET'))
        .map((line) => [line.level, line.message]);
      expect(requests).toEqual([
        [
          'debug',
          `<client: http://user:**@127.0.0.1:${server.port}/> - Request GET for http://user:**@127.0.0.1:${server.port}/x/?a=1`,
        ],
      ]);
      expect(lines.some((line) => line.level === 'debug' && line.message.includes('URL: '))).toBe(true);
      expect(lines.map((line) => line.message).join('\n')).not.toContain('secret');
    } finally {
      await masked.close();
    }
  });
});

describe('customising the response rules', () => {
  it('lets a BaseClient subclass override handleResponse and keeps dynamic verbs', async () => {
    class StatusClient extends BaseClient {
      protected override handleResponse(response: RawResponse): unknown {
        return response.statusCode;
      }
    }
    const custom = new StatusClient(`${server.origin}/`);
    try {
      expect(await custom.get()).toBe(200);
      const dynamic = custom as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      expect(await dynamic.purge?.('x')).toBe(200);
      expect(last()).toMatchObject({ method: 'PURGE', url: '/x/' });
    } finally {
      await custom.close();
    }
  });
});
