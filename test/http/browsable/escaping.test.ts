import { describe, expect, it } from 'vitest';
import { escapeHtml, renderBrowsablePage, renderErrorPage } from '../../../src/http/browsable/render.js';
import { eventHandlerTags } from './html-scan.js';
import { pageModel } from './model.js';

const PAYLOAD = '<script>alert(1)</script>';
const ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>';

/** Every `<script` tag in the page: only the page's own deferred asset may appear. */
function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/gi) ?? [];
}

describe('escaping', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });

  it.each([
    ['serviceName', { serviceName: PAYLOAD }],
    ['endpoint', { endpoint: PAYLOAD }],
    ['method', { method: PAYLOAD }],
    ['fullPath', { fullPath: `/x/${PAYLOAD}?q=${ATTRIBUTE_BREAK}` }],
    ['statusText', { statusText: PAYLOAD }],
    ['header name and value', { headers: { [PAYLOAD]: ATTRIBUTE_BREAK } }],
    ['body string', { body: { text: PAYLOAD, [PAYLOAD]: ATTRIBUTE_BREAK } }],
    ['description', { description: `${PAYLOAD}\n\n${ATTRIBUTE_BREAK}` }],
    ['allowed method', { allowedMethods: ['GET', PAYLOAD] }],
    ['format', { allowedFormats: ['json', ATTRIBUTE_BREAK] }],
  ])('renders a payload in %s inert', (_field, overrides) => {
    const html = renderBrowsablePage(pageModel(overrides));
    expect(scriptTags(html)).toEqual(['<script src="/api/static/js/page.js" defer>']);
    expect(html).not.toContain('<img');
    expect(eventHandlerTags(html)).toEqual([]);
  });

  it('escapes each part of a long comma-separated header (CVE-2024-21520 shape)', () => {
    const long = `${'a, '.repeat(60)}${PAYLOAD}, ${ATTRIBUTE_BREAK}`;
    const html = renderBrowsablePage(pageModel({ headers: { 'X-Long': long } }));
    expect(long.length).toBeGreaterThan(160);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;,<br>');
    expect(scriptTags(html)).toHaveLength(1);
    expect(html).not.toContain('<img');
  });

  it('never links a javascript: string in the data', () => {
    const html = renderBrowsablePage(pageModel({ body: { next: 'javascript:alert(1)', up: 'JaVaScRiPt:alert(1)' } }));
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it('escapes the path on the error page', () => {
    const html = renderErrorPage({
      serviceName: 'svc',
      status: 404,
      statusText: 'Not Found',
      message: 'The requested URL was not found on the server.',
      method: 'GET',
      fullPath: `/${PAYLOAD}`,
    });
    expect(html).toContain('/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(scriptTags(html)).toHaveLength(1);
    expect(html).toContain('<title>Microservice API - 404 Not Found</title>');
  });

  it('shows the error detail only when given, escaped', () => {
    const base = { serviceName: 's', status: 500, statusText: 'Internal Server Error', message: 'm', method: 'GET' };
    const without = renderErrorPage({ ...base, fullPath: '/' });
    const withDetail = renderErrorPage({ ...base, fullPath: '/', detail: `Error: ${PAYLOAD}\n    at x` });
    expect(without).not.toContain('Detail');
    expect(withDetail).toContain('Error: &lt;script&gt;');
  });
});
