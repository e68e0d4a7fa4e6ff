import { describe, expect, it } from 'vitest';
import { dedentDescription, renderDescription } from '../../../src/http/browsable/markdown.js';
import { renderBrowsablePage } from '../../../src/http/browsable/render.js';
import { scanTags } from './html-scan.js';
import { pageModel } from './model.js';

describe('description Markdown (checklist 43)', () => {
  it('dedents lines 2..n like a docstring and trims', () => {
    expect(dedentDescription('Second resource\n\n        * GET: return "SECOND"\n        * POST: x\n    ')).toBe(
      'Second resource\n\n* GET: return "SECOND"\n* POST: x',
    );
  });

  it('renders lists and shifts headings down one level with an id', () => {
    const html = renderDescription('# Second resource\n\n## Methods\n\n* GET: return "SECOND"');
    expect(html).toContain('<h2 id="second-resource">Second resource</h2>');
    expect(html).toContain('<h3 id="methods">Methods</h3>');
    expect(html).toContain('<ul>\n<li>GET: return &quot;SECOND&quot;</li>\n</ul>');
  });

  it('escapes raw HTML instead of passing it through (unlike the seed)', () => {
    const html = renderDescription('<b>bold</b> <img src=x onerror=alert(1)> <script>alert(1)</script>');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(scanTags(html).map((tag) => tag.name)).toEqual(['p']);
  });

  it('links http(s) and relative targets only', () => {
    const html = renderDescription(
      '[a](https://example.test/x?y=1&z=2) [b](/second/) [c](javascript:alert(1)) [d](data:text/html,x) [e](//evil.test/) [f](vbscript:x)',
    );
    const hrefs = scanTags(html)
      .filter((tag) => tag.name === 'a')
      .map((tag) => tag.attributes.href);
    expect(hrefs).toEqual(['https://example.test/x?y=1&amp;z=2', '/second/']);
  });

  it('does not load images (an image becomes a plain link)', () => {
    const tags = scanTags(renderDescription('![x](https://example.test/i.png)')).map((tag) => tag.name);
    expect(tags).toEqual(['p', 'a']);
  });

  it('shows the description under the title, or nothing when there is none', () => {
    const withText = renderBrowsablePage(pageModel({ description: '* GET: return "SECOND"' }));
    expect(withText).toMatch(/<\/h1>.*<div class="description"><ul>\n<li>GET: return &quot;SECOND&quot;<\/li>/s);
    expect(renderBrowsablePage(pageModel({ description: '  ' }))).not.toContain('class="description"');
    expect(renderBrowsablePage(pageModel())).not.toContain('class="description"');
  });
});
