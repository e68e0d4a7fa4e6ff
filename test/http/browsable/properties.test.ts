import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breadcrumbs } from '../../../src/http/browsable/breadcrumbs.js';
import { escapeHtml } from '../../../src/http/browsable/escape.js';
import { highlightJson } from '../../../src/http/browsable/json-highlight.js';
import { linkTarget, selfHref, withFormat, withoutFormat } from '../../../src/http/browsable/links.js';
import { eventHandlerTags, scanTags } from './html-scan.js';

function unescapeHtml(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('renderer properties (fast-check)', () => {
  it('escapeHtml leaves no markup characters and loses nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
        expect(unescapeHtml(escaped)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('highlighted JSON shows exactly JSON.stringify(value, null, 4) and only span/a tags without handlers', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const { html, truncated } = highlightJson(value);
        expect(truncated).toBe(false);
        const visible = unescapeHtml(html.replace(/<[^>]+>/g, ''));
        const expected = (JSON.stringify(value, null, 4) ?? 'null').replace(/[\u2028\u2029]/g, (ch) =>
          ch === '\u2028' ? '\\u2028' : '\\u2029',
        );
        expect(visible).toBe(expected);
        expect(new Set(scanTags(html).map((tag) => tag.name))).toSatisfy((names: Set<string>) =>
          [...names].every((name) => name === 'span' || name === 'a'),
        );
        expect(eventHandlerTags(html)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('links only http(s) URLs and single-slash paths', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (text) => {
        const target = linkTarget(text);
        if (target === undefined) return;
        expect(target).toBe(text);
        expect(target).toMatch(/^(https?:\/\/|\/(?!\/))/i);
        expect(target).not.toMatch(/[\s"'<>\\`]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('self links and breadcrumbs always stay on this origin', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (path) => {
        const crumbs = breadcrumbs(path).map((crumb) => crumb.href);
        for (const href of [selfHref(path), withFormat(path, 'json'), withoutFormat(path), ...crumbs]) {
          const resolved = new URL(href, 'http://service.test/base/');
          expect(resolved.origin).toBe('http://service.test');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('withFormat and withoutFormat keep the other query parameters in order', () => {
    expect(withFormat('/a/?x=1&format=html&y=2', 'json')).toBe('/a/?x=1&y=2&format=json');
    expect(withFormat('/a/', 'html')).toBe('/a/?format=html');
    expect(withoutFormat('/a/?format=json')).toBe('/a/');
    expect(withoutFormat('/a/?x=1&format=json&y=')).toBe('/a/?x=1&y=');
  });
});
