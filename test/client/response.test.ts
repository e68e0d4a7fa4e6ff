/**
 * The response rules (seed §4.5, checklist 53-58, with the fixes in docs/client.md), against a real server that
 * answers each path with a scripted status, Content-Type and body.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, ResponseError } from '../../src/client/index.js';
import { startServer, type TestServer } from './helpers/server.js';

interface Script {
  readonly status: number;
  readonly body: string;
  readonly type?: string;
}

const scripts = new Map<string, Script>();
let server: TestServer;
let client: InstanceType<typeof Client>;

function script(path: string, status: number, body: unknown, type = 'application/json'): string {
  scripts.set(`/${path}/`, {
    status,
    body: typeof body === 'string' && type !== 'application/json' ? body : JSON.stringify(body),
    type,
  });
  return path;
}

beforeAll(async () => {
  server = await startServer((request, response) => {
    const found = scripts.get(request.url ?? '');
    if (!found) {
      response.writeHead(500).end('no script');
      return;
    }
    response.writeHead(found.status, found.type ? { 'content-type': found.type } : {});
    response.end(found.body);
  });
  client = new Client(`${server.origin}/`, { retry: false });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<ResponseError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ResponseError);
  return error as ResponseError;
}

describe('ok statuses', () => {
  it('returns the whole JSON body without a key', async () => {
    expect(await client.get(script('whole', 200, { response: 'tested', n: 1 }))).toEqual({ response: 'tested', n: 1 });
  });

  it('returns result[key] with key or responseKey; key wins over responseKey', async () => {
    const path = script('keyed', 201, { response: 'tested', other: 'x' });
    expect(await client.get(path, { key: 'response' })).toBe('tested');
    expect(await client.get(path, { responseKey: 'response' })).toBe('tested');
    expect(await client.get(path, { key: 'other', responseKey: 'response' })).toBe('x');
  });

  it("raises 'Response key not found!' for a missing key", async () => {
    const error = await failure(client.get(script('missing', 200, { a: 1 }), { key: 'response' }));
    expect(error.description).toBe('Response key not found!');
    expect(error.statusCode).toBe(200);
    expect(error.toString()).toBe('Error status code: 200. Description: Response key not found!');
  });

  it('raises a clear ResponseError for a key on a list or a string (fix of B11)', async () => {
    const list = await failure(client.get(script('list', 200, ['response']), { key: 'response' }));
    expect(list.description).toBe('Response key "response" cannot be read: the response is a list, not an object');
    const text = await failure(client.get(script('string', 200, 'response'), { key: 'response' }));
    expect(text.description).toMatch(/the response is a string, not an object/);
  });

  it('replaces custom okStatuses entirely: a 200 then fails', async () => {
    const strict = new Client(`${server.origin}/`, { okStatuses: [203] });
    try {
      const error = await failure(strict.get(script('ok203', 200, { a: 1 })));
      expect(error.description).toBe('Status code 200 not in ok_statuses (203,)');
    } finally {
      await strict.close();
    }
  });
});

describe('to-none statuses', () => {
  it('gives null for a 404 with a key, whether or not the key exists', async () => {
    expect(await client.get(script('gone', 404, { response: 'x' }), { key: 'response' })).toBeNull();
    expect(await client.get('gone', { key: 'response_no' })).toBeNull();
  });

  it('returns a 404 JSON body unchanged without a key', async () => {
    expect(await client.get(script('gone-body', 404, { message: 'not here' }))).toEqual({ message: 'not here' });
  });
});

describe('other statuses', () => {
  it('raises "Status code N not in ok_statuses (200, 201, 202)" for a truthy JSON body', async () => {
    const error = await failure(client.get(script('boom', 500, { message: 'boom' })));
    expect(error.description).toBe('Status code 500 not in ok_statuses (200, 201, 202)');
    expect(error.statusCode).toBe(500);
    expect(error.status).toBe(500);
    expect(error.code).toBe('MS_CLIENT_RESPONSE');
    expect(JSON.parse(error.content)).toEqual({ message: 'boom' });
    expect(String(error)).toBe(
      'Error status code: 500. Description: Status code 500 not in ok_statuses (200, 201, 202)',
    );
  });

  it('returns falsy JSON bodies without a status check, as the seed did (B10)', async () => {
    expect(await client.get(script('falsy-object', 500, {}))).toEqual({});
    expect(await client.get(script('falsy-null', 500, null))).toBeNull();
    expect(await client.get(script('falsy-list', 503, []))).toEqual([]);
  });
});

describe('bodies that are not JSON', () => {
  it('raises ResponseError with the status and the body for an HTML error page (fix of B9)', async () => {
    const error = await failure(client.get(script('html-500', 500, '<h1>Internal Server Error</h1>', 'text/html')));
    expect(error.statusCode).toBe(500);
    expect(error.content).toBe('<h1>Internal Server Error</h1>');
    expect(error.description).toBe('Status code 500 not in ok_statuses (200, 201, 202)');
  });

  it('raises ResponseError naming the Content-Type for a 200 that is not JSON', async () => {
    const error = await failure(client.get(script('html-200', 200, '<p>hi</p>', 'text/html; charset=utf-8')));
    expect(error.description).toBe('Response is not JSON (Content-Type: text/html; charset=utf-8)');
    expect(error.content).toBe('<p>hi</p>');
  });

  it('raises ResponseError whose description is the parse error for broken JSON', async () => {
    const error = await failure(client.get(script('broken', 200, '{"a":', 'application/json; charset=utf-8')));
    expect(error.description).toBeInstanceOf(SyntaxError);
    expect(error.statusCode).toBe(200);
    expect(error.content).toBe('{"a":');
  });

  it('recognises JSON by Content-Type, including +json types', async () => {
    expect(await client.get(script('problem', 200, '{"a":1}', 'application/problem+json'))).toEqual({ a: 1 });
  });

  it('gives null for a 404 HTML page when a key is asked for', async () => {
    expect(
      await client.get(script('html-404', 404, '<h1>Not Found</h1>', 'text/html'), { key: 'response' }),
    ).toBeNull();
  });
});

describe('empty bodies (status-checked: a fix)', () => {
  it('gives null for an empty 200 or 204-like ok body', async () => {
    expect(await client.get(script('empty-ok', 202, '', 'text/plain'))).toBeNull();
  });

  it('raises the status error for an empty 500', async () => {
    const error = await failure(client.get(script('empty-500', 500, '', 'text/plain')));
    expect(error.description).toBe('Status code 500 not in ok_statuses (200, 201, 202)');
    expect(error.content).toBe('');
  });
});

describe('emptyToNone', () => {
  it('turns a falsy extracted value into null by default', async () => {
    for (const value of ['', 0, {}, [], false]) {
      const path = script(`falsy-${JSON.stringify(value).replace(/\W/g, 'x')}`, 200, { response: value });
      expect(await client.get(path, { key: 'response' })).toBeNull();
    }
  });

  it('keeps the raw falsy value when off', async () => {
    const raw = new Client(`${server.origin}/`, { emptyToNone: false });
    try {
      expect(await raw.get(script('zero', 200, { response: 0 }), { key: 'response' })).toBe(0);
      expect(await raw.get(script('blank', 200, { response: '' }), { key: 'response' })).toBe('');
    } finally {
      await raw.close();
    }
  });
});
