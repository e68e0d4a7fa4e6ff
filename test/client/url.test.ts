import { afterEach, describe, expect, it } from 'vitest';
import { Client, InvalidEndpointError, InvalidRequestError } from '../../src/client/index.js';
import { encodeQuery, parseQuery } from '../../src/client/query.js';
import { answer, startRawServer } from './helpers/raw-server.js';

const clients: Array<{ close(): Promise<void> }> = [];
function client(endpoint: string, options: ConstructorParameters<typeof Client>[1] = {}) {
  const created = new Client(endpoint, options);
  clients.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((created) => created.close()));
});

describe('endpoint parsing (seed §4.2, checklist 47-48)', () => {
  it('drops one trailing slash: endpoint is scheme://netloc, path is empty', () => {
    const created = client('http://h:5000/');
    expect(created.endpoint).toBe('http://h:5000');
    expect(created.path).toBe('');
  });

  it('keeps user info and port in endpoint and the base path in path', () => {
    const created = client('http://user:password@endpoint:8000/test/1');
    expect(created.endpoint).toBe('http://user:password@endpoint:8000');
    expect(created.path).toBe('/test/1');
  });

  it('parses the base query (blank values kept), ;params and #fragment', () => {
    const created = client('http://h/api;p=1?token=abc&x=#frag');
    expect(created.path).toBe('/api');
    expect(created.params).toBe('p=1');
    expect(created.fragment).toBe('frag');
    expect([...created.query]).toEqual([
      ['token', ['abc']],
      ['x', ['']],
    ]);
  });

  it('drops blank base query values when keepBlankValues is false', () => {
    expect([...client('http://h/api?token=abc&x=', { keepBlankValues: false }).query]).toEqual([['token', ['abc']]]);
  });

  it('refuses endpoints that are not absolute http(s) URLs, without echoing the password', () => {
    expect(() => new Client('localhost:5000')).toThrow(InvalidEndpointError);
    expect(() => new Client('ftp://h/')).toThrow(/unsupported scheme ftp/);
    expect(() => new Client('amqp://u:secret@h/')).toThrow(/u:\*\*@h/);
    const error = (() => {
      try {
        return new Client('ftp://u:secret@h/');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidEndpointError);
    expect(String(error)).not.toContain('secret');
    expect((error as InvalidEndpointError).code).toBe('MS_CLIENT_INVALID_URL');
  });
});

describe('URL building (seed §4.3, checklist 47-49)', () => {
  it('closes every path with a slash by default', () => {
    const created = client('http://h:5000/');
    expect(created.urlFor()).toBe('http://h:5000/');
    expect(created.urlFor(['a', 'b'])).toBe('http://h:5000/a/b/');
    expect(created.urlFor(['second'])).toBe('http://h:5000/second/');
  });

  it('does not append a slash with closeSlash false', () => {
    const created = client('http://host/api', { closeSlash: false });
    expect(created.urlFor(['x'])).toBe('http://host/api/x');
    expect(created.urlFor()).toBe('http://host/api');
  });

  it('keeps user info, port, base path, base query, params and fragment in every URL', () => {
    const created = client('http://user:password@endpoint:8000/test/1;p=1?token=abc&x=#frag');
    expect(created.urlFor(['jopa'])).toBe('http://user:password@endpoint:8000/test/1/jopa/;p=1?token=abc&x=#frag');
  });

  it('uses per-call params and fragment instead of the endpoint ones', () => {
    const created = client('http://h/api');
    expect(created.urlFor(['x'], { params: 'p=1', fragment: 'frag' })).toBe('http://h/api/x/;p=1#frag');
  });

  it('merges a query object over the endpoint query key by key, keeping positions', () => {
    const created = client('http://host/api?token=abc&x=');
    expect(created.urlFor([], { query: { q: 1, token: 'override' } })).toBe('http://host/api/?token=override&x=&q=1');
  });

  it('repeats the key for array values and removes a key given null', () => {
    const created = client('http://host/api?token=abc&x=');
    expect(created.urlFor([], { query: { a: [1, 'two words'], token: null } })).toBe(
      'http://host/api/?x=&a=1&a=two+words',
    );
  });

  it('parses a string query honouring keepBlankValues (client default, then per call)', () => {
    expect(client('http://h/').urlFor([], { query: 'q=1&e=' })).toBe('http://h/?q=1&e=');
    expect(client('http://h/', { keepBlankValues: false }).urlFor([], { query: 'q=1&e=' })).toBe('http://h/?q=1');
    expect(client('http://h/').urlFor([], { query: 'q=1&e=', keepBlankValues: false })).toBe('http://h/?q=1');
  });

  it('joins parts as the seed test did: "1/2","3" and "1/2","3/" both give 1/2/3/', () => {
    const created = client('http://endpoint/');
    expect(created.urlFor(['jopa', '1', '2', '3'], { query: { test: 'tested' } })).toBe(
      'http://endpoint/jopa/1/2/3/?test=tested',
    );
    expect(created.urlFor(['jopa', '1/2', '3'])).toBe('http://endpoint/jopa/1/2/3/');
    expect(created.urlFor(['jopa', '1/2', '3/'])).toBe('http://endpoint/jopa/1/2/3/');
  });

  it('accepts numbers and percent-encodes each part; a leading slash gives no double slash', () => {
    const created = client('http://h/api');
    expect(created.urlFor(['one', 2])).toBe('http://h/api/one/2/');
    expect(created.urlFor(['/x'])).toBe('http://h/api/x/');
    expect(created.urlFor(['/'])).toBe('http://h/api/');
    expect(created.urlFor(['a b', 'c?d#e', 'ü'])).toBe('http://h/api/a%20b/c%3Fd%23e/%C3%BC/');
  });

  it('refuses dot segments: encoded as %2E%2E they still climb out of the base path for a URL parser', async () => {
    // What a WHATWG server makes of the old encoding: /api/%2E%2E/admin is /admin.
    expect(new URL('http://h/api/%2E%2E/admin/').pathname).toBe('/admin/');
    const created = client('http://127.0.0.1:1/api');
    for (const parts of [['..', 'admin'], ['a/../b'], ['.'], ['x', 'y/./z']]) {
      expect(() => created.urlFor(parts)).toThrow(InvalidRequestError);
      await expect(created.get(...parts)).rejects.toMatchObject({ code: 'MS_CLIENT_INVALID_HEADER' });
    }
    expect(created.urlFor(['...', '.x', 'a..b'])).toBe('http://127.0.0.1:1/api/.../.x/a..b/');
  });

  it('does not double the slash when the endpoint path ends with one before a query', () => {
    expect(client('http://h/api/?x=1').urlFor(['x'])).toBe('http://h/api/x/?x=1');
  });
});

describe('query strings (parse_qs / urlencode doseq)', () => {
  it('round-trips plus signs, escapes and repeated keys', () => {
    const parsed = parseQuery('a=1+2&a=%2B&b=%zz&c', true);
    expect([...parsed]).toEqual([
      ['a', ['1 2', '+']],
      ['b', ['%zz']],
      ['c', ['']],
    ]);
    expect(encodeQuery(parsed)).toBe('a=1+2&a=%2B&b=%25zz&c=');
  });

  it('encodes like quote_plus: only letters, digits and _.-~ stay bare', () => {
    expect(encodeQuery(new Map([["k!'()*", ['a b/&=']]]))).toBe('k%21%27%28%29%2A=a+b%2F%26%3D');
  });
});

describe('the params option is encoded (issue 10)', () => {
  const hostile = 'p?admin=1#/../../y';

  it('goes on the wire as one encoded ;params: ?, #, / and .. cannot leave the path segment', async () => {
    const server = await startRawServer((socket) => answer(socket, 200, { response: 'ok' }));
    try {
      const created = client(`${server.origin}/api/`, { retry: false });
      expect(await created.get('x', { params: hostile, key: 'response' })).toBe('ok');
      await created.get('a', 'b', { params: '..' });
      const [first, second] = server.requests.map((request) => request.target);
      expect(first).toBe('/api/x/;p%3Fadmin=1%23%2F..%2F..%2Fy');
      // What a server makes of it: the whole value stays in the last segment, with no query.
      const seen = new URL(first ?? '', server.origin);
      expect(seen.pathname).toBe('/api/x/;p%3Fadmin=1%23%2F..%2F..%2Fy');
      expect(seen.search).toBe('');
      expect(second).toBe('/api/a/b/;..');
      expect(new URL(second ?? '', server.origin).pathname).toBe('/api/a/b/;..');
    } finally {
      await server.close();
    }
  });

  it('keeps the characters a path segment allows (;, =, &, :, @, +, $) and encodes %', () => {
    const created = client('http://h/api');
    expect(created.urlFor(['x'], { params: 'a=1;b=2,c&d:e@f+g$h' })).toBe('http://h/api/x/;a=1;b=2,c&d:e@f+g$h');
    expect(created.urlFor(['x'], { params: '50% a/b' })).toBe('http://h/api/x/;50%25%20a%2Fb');
  });

  it('refuses params that are not well-formed text', async () => {
    await expect(client('http://127.0.0.1:1/').get({ params: 'p\uD800' })).rejects.toMatchObject({
      code: 'MS_CLIENT_INVALID_HEADER',
    });
  });
});
