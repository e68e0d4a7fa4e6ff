import { describe, expect, it } from 'vitest';
import { breadcrumbs } from '../../../src/http/browsable/breadcrumbs.js';
import { renderBrowsablePage } from '../../../src/http/browsable/render.js';
import { pageModel } from './model.js';

describe('breadcrumbs from the path', () => {
  it('links each prefix, keeping the trailing-slash style, ignoring the query', () => {
    expect(breadcrumbs('/second/one/2/?a=1')).toEqual([
      { label: 'API root', href: '/' },
      { label: 'second', href: '/second/' },
      { label: 'one', href: '/second/one/' },
      { label: '2', href: '/second/one/2/' },
    ]);
    expect(breadcrumbs('/a/b').map((crumb) => crumb.href)).toEqual(['/', '/a', '/a/b']);
    expect(breadcrumbs('/')).toEqual([{ label: 'API root', href: '/' }]);
  });

  it('decodes labels and never yields a protocol-relative href', () => {
    const crumbs = breadcrumbs('//evil.test/caf%C3%A9/%E0%A4');
    expect(crumbs.map((crumb) => crumb.label)).toEqual(['API root', 'evil.test', 'café', '%E0%A4']);
    for (const crumb of crumbs) expect(crumb.href).toMatch(/^\/(?!\/)/);
  });

  it('marks the last crumb as the current page and escapes labels', () => {
    const html = renderBrowsablePage(pageModel({ fullPath: '/x/%3Cscript%3E/' }));
    expect(html).toContain(
      '<ol><li><a href="/">API root</a></li><li><a href="/x/">x</a></li><li aria-current="page">&lt;script&gt;</li></ol>',
    );
  });
});
