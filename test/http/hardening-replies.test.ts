import type { Logger } from 'microservices-ts';
import { APIException, contentDisposition, JsonEncodeError, Microservice, reply } from 'microservices-ts/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnFreePort, rawExchange } from './raw-http.js';

function capturingLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const ignore = (): void => {};
  const logger: Logger = {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message: string) => errors.push(message),
  };
  return { logger, errors };
}

const SECRET = 'secret-db-password=hunter2';

function replyApp(options: ConstructorParameters<typeof Microservice>[1] = {}): Microservice {
  const app = new Microservice('replies', options);
  app.get('/crlf/', () => reply('x', 302, { location: '/a\r\nSet-Cookie: session=stolen' }));
  app.get('/cd-raw/', () => reply(Buffer.from('%PDF'), 200, { 'content-disposition': 'attachment; filename="€.pdf"' }));
  app.get('/cd/', () =>
    reply(Buffer.from('%PDF'), 200, { 'content-disposition': contentDisposition('résumé 2026 €.pdf') }),
  );
  app.get('/api-header/', () => {
    throw new APIException('Slow down', { status: 429, headers: { 'retry-after': '1\n2' } });
  });
  app.get('/reason/', () => reply('x', '299 日本'));
  app.get('/informational/<int:status>/', (req) => reply('x', req.params.status));
  app.get('/to-json-throws/', () => ({
    toJSON() {
      throw new Error(SECRET);
    },
  }));
  app.get('/cycle/', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node.self = node;
    return node;
  });
  return app;
}

describe('issue 12: header values Node refuses give the service its own 500', () => {
  const { logger, errors } = capturingLogger();
  const app = replyApp({ logger });
  let port = 0;
  beforeAll(async () => {
    port = await listenOnFreePort(app);
  });
  afterAll(() => app.close());

  const get = (path: string, accept = 'application/json') =>
    rawExchange(port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: ${accept}\r\nConnection: close\r\n\r\n`], 1000);

  it('a CR/LF in a reply() header is a negotiated 500 with one log line, never "500 Found" or a split header', async () => {
    errors.length = 0;
    const json = await get('/crlf/');
    expect(json.response).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(json.response).not.toMatch(/set-cookie/i);
    expect(json.response.split('\r\n\r\n')[1]).toBe('{"message":"Internal Server Error"}');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('header "location" has a control character');
    const html = await get('/crlf/', 'text/html');
    expect(html.response).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(html.response).toMatch(/\r\ncontent-security-policy: default-src 'self'/i);
    expect(html.response).toContain('<!doctype html>');
  });

  it('a non-Latin-1 Content-Disposition is the same 500, and the message points at contentDisposition()', async () => {
    errors.length = 0;
    const result = await get('/cd-raw/');
    expect(result.status).toBe(500);
    expect(result.response.split('\r\n\r\n')[1]).toBe('{"message":"Internal Server Error"}');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('contentDisposition()');
  });

  it('contentDisposition() encodes a UTF-8 file name per RFC 6266/8187 with an ASCII fallback', async () => {
    const result = await get('/cd/');
    expect(result.status).toBe(200);
    expect(result.response).toContain(
      `\r\ncontent-disposition: attachment; filename="resume 2026 _.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026%20%E2%82%AC.pdf\r\n`,
    );
    expect(contentDisposition('plain.txt')).toBe('attachment; filename="plain.txt"');
    expect(contentDisposition('a"b\\c.txt', 'inline')).toBe(
      `inline; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`,
    );
    expect(contentDisposition('evil\r\nSet-Cookie: x=1.txt')).toBe('attachment; filename="evilSet-Cookie: x=1.txt"');
    expect(contentDisposition("it's (1).txt")).toBe(`attachment; filename="it's (1).txt"`);
    expect(contentDisposition("it's (1) é.txt")).toContain(`filename*=UTF-8''it%27s%20%281%29%20%C3%A9.txt`);
  });

  it('accepts numbers and lists of valid values (Set-Cookie lines), refuses a bad line in a list', () => {
    const cookies = ['a=1; Path=/', 'b=2; Path=/'] as unknown as string;
    expect(reply('x', 200, { 'content-length': 1 as unknown as string, 'set-cookie': cookies }).status).toBe(200);
    const bad = ['a=1', 'b=2\r\nx: y'] as unknown as string;
    expect(() => reply('x', 200, { 'set-cookie': bad })).toThrow(/header "set-cookie" has a control character/);
    expect(() => reply('x', 200, { 'bad name': 'x' })).toThrow(/not an HTTP token/);
  });

  it('a bad header on an APIException and a non-Latin-1 reason phrase are the service 500 too', async () => {
    for (const path of ['/api-header/', '/reason/']) {
      const result = await get(path);
      expect(result.response).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
      expect(result.response.split('\r\n\r\n')[1]).toBe('{"message":"Internal Server Error"}');
    }
  });
});

describe('issue 12: reply() refuses informational and out-of-range statuses', () => {
  it('throws a RangeError at reply() time for 1xx and for statuses outside 200 to 599', () => {
    for (const status of [100, 101, 103, 199, 99, 600, 999]) {
      expect(() => reply('x', status)).toThrow(RangeError);
    }
    expect(() => reply('x', 101)).toThrow(/informational/);
    expect(() => reply('x', '103 Early Hints')).toThrow(RangeError);
    expect(reply('x', 200).status).toBe(200);
    expect(reply('x', '599 Custom').statusText).toBe('Custom');
  });

  it('a handler replying 101 gets an immediate 500 instead of a hanging client', async () => {
    const app = replyApp();
    const port = await listenOnFreePort(app);
    try {
      const started = Date.now();
      const result = await rawExchange(
        port,
        ['GET /informational/101/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
        3000,
      );
      expect(result.status).toBe(500);
      expect(result.closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await app.close();
    }
  });
});

describe('issue 12: JSON encoding failures keep their details out of the response unless debug', () => {
  it('a throwing toJSON: the client gets a generic 500, the log names the failure but not the secret', async () => {
    const { logger, errors } = capturingLogger();
    const app = replyApp({ logger });
    const res = await app.inject('/to-json-throws/');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ message: 'The response could not be encoded as JSON.' });
    expect(res.body).not.toContain('hunter2');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('a toJSON method or getter threw Error');
    expect(errors[0]).not.toContain('hunter2');
    const page = await app.inject({ url: '/to-json-throws/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain('hunter2');
  });

  it('a cycle: no structure details without debug', async () => {
    const res = await replyApp().inject('/cycle/');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ message: 'The response could not be encoded as JSON.' });
  });

  it('with exposeErrors the detail names the reason, the thrown text included (debug alone does not)', async () => {
    const debug = replyApp({ debug: true, logger: capturingLogger().logger });
    expect((await debug.inject('/to-json-throws/')).body).not.toContain(SECRET);
    const app = replyApp({ exposeErrors: true, logger: capturingLogger().logger });
    const thrown = (await app.inject('/to-json-throws/')).json();
    expect(thrown.message).toBe('The response could not be encoded as JSON.');
    expect(thrown.detail).toContain(SECRET);
    const cycle = (await app.inject('/cycle/')).json();
    expect(cycle.detail).toMatch(/circular/i);
  });

  it('JsonEncodeError keeps the application text out of its message', () => {
    const error = new JsonEncodeError('a toJSON method or getter threw Error', undefined, SECRET);
    expect(error.message).not.toContain('hunter2');
    expect(error.detail).toContain('hunter2');
    expect(error.code).toBe('MS_HTTP_JSON_ENCODE');
  });
});
