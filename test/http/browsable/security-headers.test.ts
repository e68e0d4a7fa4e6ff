import { describe, expect, it } from 'vitest';
import { htmlSecurityHeaders, renderBrowsablePage } from '../../../src/http/browsable/render.js';
import { scanTags } from './html-scan.js';
import { pageModel } from './model.js';

function directives(): Map<string, string> {
  const csp = htmlSecurityHeaders()['content-security-policy'] ?? '';
  return new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
}

describe('HTML security headers (RELIABILITY H2)', () => {
  it("has a CSP with default-src 'self', no inline script and frame-ancestors 'none'", () => {
    const csp = directives();
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('form-action')).toBe("'self'");
    expect(htmlSecurityHeaders()['content-security-policy']).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('sets nosniff', () => {
    expect(htmlSecurityHeaders()['x-content-type-options']).toBe('nosniff');
  });

  it('puts no inline script or style on the page, only same-origin assets', () => {
    const tags = scanTags(renderBrowsablePage(pageModel({ allowedMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'] })));
    const scripts = tags.filter((tag) => tag.name === 'script');
    expect(scripts.map((tag) => tag.attributes.src)).toEqual(['/api/static/js/page.js']);
    expect(tags.filter((tag) => tag.name === 'style' || 'style' in tag.attributes)).toEqual([]);
    const links = tags.filter((tag) => tag.name === 'link').map((tag) => tag.attributes.href);
    expect(links).toEqual(['/api/static/img/favicon.svg', '/api/static/css/page.css']);
  });
});
