import { Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { negotiate } from '../../src/http/negotiation.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function app(): Microservice {
  const service = new Microservice('negotiation');
  service.get('/r/', { resource: new ResourceMarker() }, () => ({ a: 'ü' }));
  return service;
}

describe('content negotiation (checklist items 29 to 32)', () => {
  it('item 29: no Accept, */*, application/json and application/* give JSON with charset=utf-8 (unquoted: a documented deviation)', async () => {
    for (const accept of [undefined, '', '*/*', 'application/json', 'application/*']) {
      const res = await app().inject({ url: '/r/', headers: accept === undefined ? {} : { accept } });
      expect(res.headers['content-type'], String(accept)).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({ a: 'ü' });
    }
  });

  it('item 30: text/html and a browser Accept give the HTML page; equal q gives JSON by renderer order', async () => {
    for (const accept of ['text/html', 'text/*', BROWSER]) {
      const res = await app().inject({ url: '/r/', headers: { accept } });
      expect(res.headers['content-type'], accept).toBe('text/html; charset=utf-8');
    }
    const tie = await app().inject({ url: '/r/', headers: { accept: 'text/html, application/json' } });
    expect(tie.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('follows RFC 9110 q-values (the seed ignored them): higher q wins, q=0 excludes', async () => {
    expect(negotiate('text/html;q=1, application/json;q=0.1')?.representation).toBe('html');
    expect(negotiate('application/json;q=0, */*')?.representation).toBe('html');
    expect(negotiate('text/html;q=0.5, */*;q=0.1')?.representation).toBe('html');
    expect(negotiate('*/*, text/html;q=0')?.representation).toBe('json');
    expect(negotiate('application/json;q=0, text/html;q=0')).toBeUndefined();
  });

  it('item 31: an unsatisfiable Accept gives 406 with the seed message', async () => {
    const res = await app().inject({ url: '/r/', headers: { accept: 'application/xml' } });
    expect(res.statusCode).toBe(406);
    expect(res.json()).toEqual({ message: 'Could not satisfy the request Accept header.' });
  });

  it('item 32: application/json; indent=4 indents by 4, clamped to 0..8', async () => {
    const four = await app().inject({ url: '/r/', headers: { accept: 'application/json; indent=4' } });
    expect(four.body).toBe('{\n    "a": "ü"\n}');
    const clamped = await app().inject({ url: '/r/', headers: { accept: 'application/json; indent=20' } });
    expect(clamped.body).toBe(`{\n${' '.repeat(8)}"a": "ü"\n}`);
  });

  it('?format=json|html overrides the header; an unknown format is 406 and is not reflected', async () => {
    const json = await app().inject({ url: '/r/?format=json', headers: { accept: 'text/html' } });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    const html = await app().inject({ url: '/r/?format=html' });
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    const evil = await app().inject({ url: '/r/?format=%3Cscript%3E' });
    expect(evil.statusCode).toBe(406);
    expect(evil.body).not.toContain('<script>');
  });

  it('sends Vary: Accept and nosniff on negotiated responses, and the HTML security headers on pages', async () => {
    const json = await app().inject('/r/');
    expect(json.headers.vary).toBe('Accept');
    expect(json.headers['x-content-type-options']).toBe('nosniff');
    const html = await app().inject({ url: '/r/', headers: { accept: 'text/html' } });
    expect(html.headers.vary).toBe('Accept');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('negotiates error responses too: JSON for programs, HTML for browsers', async () => {
    const service = new Microservice('errors');
    service.get('/boom/', { resource: new ResourceMarker() }, () => {
      throw new Error('secret detail');
    });
    const json = await service.inject('/boom/');
    expect(json.statusCode).toBe(500);
    expect(json.json()).toEqual({ message: 'Internal Server Error' });
    const html = await service.inject({ url: '/boom/', headers: { accept: BROWSER } });
    expect(html.statusCode).toBe(500);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('Internal Server Error');
    expect(html.body).not.toContain('secret detail');
  });
});
