import { describe, expect, it } from 'vitest';
import { highlightJson } from '../../../src/http/browsable/json-highlight.js';
import { renderBrowsablePage } from '../../../src/http/browsable/render.js';
import { scanTags } from './html-scan.js';
import { pageModel } from './model.js';

/** The text a browser shows for highlighted HTML: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('server-side JSON highlighting (checklist 44)', () => {
  const samples: unknown[] = [
    { response: ['one', 2], nested: { a: null, b: true, c: 1.5, d: [], e: {} } },
    ['<script>', '&amp;', "it's", 'tab\there', 'ünïcødé ✓'],
    'a string',
    42,
    null,
    [],
  ];

  it.each(samples.map((sample) => [JSON.stringify(sample), sample]))(
    'shows exactly JSON.stringify(value, null, 4) for %s',
    (_label, sample) => {
      expect(visibleText(highlightJson(sample).html)).toBe(JSON.stringify(sample, null, 4));
    },
  );

  it('prints the holes of a sparse array as null, as JSON.stringify does', () => {
    const sparse: unknown[] = [];
    sparse[2] = 'x';
    expect(visibleText(highlightJson({ sparse }).html)).toBe(JSON.stringify({ sparse }, null, 4));
  });

  it('wraps tokens in classed spans', () => {
    const html = highlightJson({ k: 's', n: 1, b: false, z: null }).html;
    expect(html).toContain('<span class="j-key">&quot;k&quot;</span>');
    expect(html).toContain('<span class="j-str">&quot;s&quot;</span>');
    expect(html).toContain('<span class="j-num">1</span>');
    expect(html).toContain('<span class="j-bool">false</span>');
    expect(html).toContain('<span class="j-null">null</span>');
  });

  it('follows JSON.stringify for dates, undefined, non-finite numbers and bigint', () => {
    const text = visibleText(
      highlightJson({ d: new Date(0), u: undefined, f: () => 1, x: [undefined, Number.NaN], b: 7n }).html,
    );
    expect(JSON.parse(text)).toEqual({ d: '1970-01-01T00:00:00.000Z', x: [null, null], b: 7 });
  });

  it('escapes U+2028 and U+2029 and survives cycles', () => {
    const cyclic: Record<string, unknown> = { s: 'a\u2028b\u2029c' };
    cyclic.self = cyclic;
    const text = visibleText(highlightJson(cyclic).html);
    expect(text).toContain('"a\\u2028b\\u2029c"');
    expect(text).toContain('"[Circular]"');
  });

  it('links absolute http(s) URLs and same-origin paths, nothing else', () => {
    const html = highlightJson({
      abs: 'http://127.0.0.1:5000/second/?a=1&b=2',
      tls: 'https://example.test/',
      path: '/second/',
      other: ['//evil.test/x', 'javascript:alert(1)', 'ftp://x/', 'data:text/html,<b>', 'http://a b/', 'not a url'],
    }).html;
    const hrefs = scanTags(html)
      .filter((tag) => tag.name === 'a')
      .map((tag) => tag.attributes.href);
    expect(hrefs).toEqual(['http://127.0.0.1:5000/second/?a=1&amp;b=2', 'https://example.test/', '/second/']);
  });

  it('truncates long output between whole elements and says so (not cutting the HTML, seed B23)', () => {
    const body = { items: Array.from({ length: 500 }, (_, index) => ({ index, text: 'x'.repeat(50) })) };
    const limit = 1000;
    const result = highlightJson(body, limit);
    expect(result.truncated).toBe(true);
    expect(visibleText(result.html).length).toBe(limit);
    expect(JSON.stringify(body, null, 4).startsWith(visibleText(result.html))).toBe(true);
    const opened = (result.html.match(/<span\b/g) ?? []).length;
    const closed = (result.html.match(/<\/span>/g) ?? []).length;
    expect(opened).toBe(closed);
    expect(highlightJson(body).truncated).toBe(false);
  });

  it('caps a body over 1,000,000 characters on the page and keeps the page whole', () => {
    const html = renderBrowsablePage(pageModel({ body: { big: 'y'.repeat(1_200_000) } }));
    expect(html).toContain('truncated at 1,000,000 characters');
    expect(html.length).toBeLessThan(1_100_000);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('shows the request line, status line and headers', () => {
    const html = renderBrowsablePage(
      pageModel({
        method: 'POST',
        fullPath: '/second/?a=1',
        status: 201,
        statusText: 'CREATED',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Custom': 'yes' },
      }),
    );
    expect(html).toContain('<b class="method">POST</b> /second/?a=1</pre>');
    expect(html).toContain('<b class="status s2">HTTP 201 CREATED</b>');
    expect(html).toContain(
      '<b class="h-name">Content-Type: </b><span class="h-val">application/json; charset=utf-8</span>',
    );
    expect(html).toContain('<b class="h-name">X-Custom: </b><span class="h-val">yes</span>');
  });
});
