import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

function echo(): Microservice {
  const app = new Microservice('parsing');
  const show = (req: {
    method: string;
    data: unknown;
    form: unknown;
    files: Record<string, { filename: string; contentType: string; data: Buffer }>;
  }) => ({
    method: req.method,
    data: req.data,
    form: req.form,
    files: Object.fromEntries(
      Object.entries(req.files).map(([name, file]) => [
        name,
        { filename: file.filename, type: file.contentType, text: file.data.toString() },
      ]),
    ),
  });
  app.route('/echo/', { methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }, show);
  return app;
}

function multipart(
  boundary: string,
  parts: { name: string; value: string; filename?: string; type?: string }[],
): string {
  return `${parts
    .map((part) => {
      const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
      const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
      return `--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n${part.value}\r\n`;
    })
    .join('')}--${boundary}--\r\n`;
}

describe('request data (checklist item 33)', () => {
  it('gives any JSON value as req.data', async () => {
    for (const value of [{ a: [1, { b: null }] }, [1, 2], 'text', 7, true, null]) {
      const res = await echo().inject({
        method: 'POST',
        url: '/echo/',
        payload: JSON.stringify(value),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.json().data).toEqual(value);
    }
  });

  it('gives a urlencoded body as a first-value-per-key map keeping blanks, in data and form', async () => {
    const res = await echo().inject({
      method: 'POST',
      url: '/echo/',
      payload: 'a=1&a=2&b=&__proto__=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.json().data).toEqual({ a: '1', b: '', ['__proto__']: 'x' });
    expect(res.json().form).toEqual(res.json().data);
  });

  it('gives multipart fields in data and form, and uploads in files', async () => {
    const boundary = 'XyZ123';
    const res = await echo().inject({
      method: 'POST',
      url: '/echo/',
      payload: multipart(boundary, [
        { name: 'title', value: 'Hello' },
        { name: 'upload', value: 'file body', filename: 'a.txt', type: 'text/plain' },
      ]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      data: { title: 'Hello' },
      form: { title: 'Hello' },
      files: { upload: { filename: 'a.txt', type: 'text/plain', text: 'file body' } },
    });
  });

  it('gives {} for an empty body', async () => {
    expect((await echo().inject({ method: 'POST', url: '/echo/' })).json().data).toEqual({});
    expect((await echo().inject({ method: 'GET', url: '/echo/' })).json().data).toEqual({});
  });

  it('multipart without a boundary is 400', async () => {
    const res = await echo().inject({
      method: 'POST',
      url: '/echo/',
      payload: 'x',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: 'Multipart message missing boundary in Content-Type header' });
  });
});

describe('parse errors pass through the envelope (checklist item 34)', () => {
  const app = new Microservice('errors');
  app.post('/m/', { resource: new ResourceMarker({ update: { u: 1 } }) }, () => ({}));

  it('malformed JSON is 400 "JSON parse error - ..." with update merged', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/m/',
      payload: '{bad',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().u).toBe(1);
    expect(res.json().message).toMatch(/^JSON parse error - /);
  });

  it('text/plain with a body is 415 with the seed message', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/m/',
      payload: 'hi',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ u: 1, message: 'Unsupported media type in the request Content-Type header.' });
  });
});

describe('form method override (checklist item 35)', () => {
  const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };

  it('routes a POST form with _method=PUT to the PUT view, keeping the form in data', async () => {
    const res = await echo().inject({ method: 'POST', url: '/echo/', payload: '_method=PUT&a=1', headers: urlencoded });
    expect(res.json()).toMatchObject({ method: 'PUT', data: { _method: 'PUT', a: '1' } });
  });

  it('replaces the body with _content and _content_type', async () => {
    const payload = new URLSearchParams({ _content: '{"k":"v"}', _content_type: 'application/json' }).toString();
    const res = await echo().inject({ method: 'POST', url: '/echo/', payload, headers: urlencoded });
    expect(res.json()).toMatchObject({ method: 'POST', data: { k: 'v' } });
  });

  it('works for multipart forms too (the seed could not)', async () => {
    const boundary = 'b0undary';
    const res = await echo().inject({
      method: 'POST',
      url: '/echo/',
      payload: multipart(boundary, [
        { name: '_method', value: 'PATCH' },
        { name: '_content', value: '[1,2]' },
        { name: '_content_type', value: 'application/json' },
      ]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.json()).toMatchObject({ method: 'PATCH', data: [1, 2] });
  });

  it('accepts an override from the same origin (Origin, Referer or Sec-Fetch-Site)', async () => {
    const same = [
      { origin: 'http://localhost' },
      { referer: 'http://localhost/echo/' },
      { 'sec-fetch-site': 'same-origin' },
    ];
    for (const headers of same) {
      const res = await echo().inject({
        method: 'POST',
        url: '/echo/',
        payload: '_method=DELETE',
        headers: { ...urlencoded, ...headers, host: 'localhost' },
      });
      expect(res.json().method, JSON.stringify(headers)).toBe('DELETE');
    }
  });

  it('refuses a cross-site override with 403 and never runs the handler', async () => {
    let calls = 0;
    const app = new Microservice('csrf');
    app.route('/x/', { methods: ['POST', 'DELETE'] }, () => {
      calls++;
      return {};
    });
    const cross = [
      { origin: 'http://evil.test' },
      { referer: 'http://evil.test/page' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of cross) {
      const res = await app.inject({
        method: 'POST',
        url: '/x/',
        payload: '_method=DELETE',
        headers: { ...urlencoded, ...headers, host: 'localhost' },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
    }
    const html = await app.inject({
      method: 'POST',
      url: '/x/',
      payload: '_method=DELETE',
      headers: { ...urlencoded, origin: 'http://evil.test', accept: 'text/html' },
    });
    expect(html.statusCode).toBe(403);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(calls).toBe(0);
  });

  it('gives 405 when the overridden method is not allowed', async () => {
    const app = new Microservice('override');
    app.post('/only-post/', () => ({}));
    const res = await app.inject({ method: 'POST', url: '/only-post/', payload: '_method=PUT', headers: urlencoded });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });
});
