import { describe, expect, it } from 'vitest';
import { findStaticAsset } from '../../../src/http/browsable/static.js';

describe('static assets under /api/static/', () => {
  it.each([
    ['css/page.css', 'text/css; charset=utf-8', 'prefers-color-scheme'],
    ['js/page.js', 'text/javascript; charset=utf-8', 'addEventListener'],
    ['img/favicon.svg', 'image/svg+xml', '<svg'],
  ])('serves %s as %s', (path, contentType, marker) => {
    const asset = findStaticAsset(path);
    expect(asset?.contentType).toBe(contentType);
    expect(asset?.body.toString('utf8')).toContain(marker);
    expect(asset?.etag).toMatch(/^"[\w-]{22}"$/);
  });

  it('joins the stylesheet sources into one page.css and serves none of them alone', () => {
    const css = findStaticAsset('css/page.css')?.body.toString('utf8') ?? '';
    for (const rule of ['--bg:', '.btn.primary', '.j-key', '.topbar', '@media (max-width: 640px)']) {
      expect(css).toContain(rule);
    }
    // The narrow-screen rules come last so they win over the wide layout.
    expect(css.lastIndexOf('@media (max-width: 640px)')).toBeGreaterThan(css.indexOf('.content-form {'));
    for (const source of ['css/theme.css', 'css/controls.css', 'css/layout.css']) {
      expect(findStaticAsset(source)).toBeUndefined();
    }
  });

  it('returns the same cached asset each time and tolerates a leading slash or query', () => {
    expect(findStaticAsset('/css/page.css?v=1')).toBe(findStaticAsset('css/page.css'));
  });

  it.each([
    '../static.ts',
    'css/../../render.ts',
    '..%2Frender.ts',
    'css/page.css/',
    'CSS/PAGE.CSS',
    'constructor',
    '__proto__',
    '',
    '/etc/passwd',
  ])('has nothing at %j', (path) => {
    expect(findStaticAsset(path)).toBeUndefined();
  });

  it('uses no inline handlers or HTML writes in the script, and no remote URLs in the stylesheet', () => {
    const script = findStaticAsset('js/page.js')?.body.toString('utf8') ?? '';
    const css = findStaticAsset('css/page.css')?.body.toString('utf8') ?? '';
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(css).not.toMatch(/url\(|@import|https?:\/\//);
  });
});
