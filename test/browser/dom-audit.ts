/**
 * Looks at a loaded page's live DOM for anything a payload could have added: elements the page never
 * renders, event-handler attributes, script-bearing URLs, foreign scripts, stylesheets or meta refreshes.
 */
import type { Page } from 'playwright-core';

/** Every element the browsable page itself uses (including what Markdown descriptions produce). */
const PAGE_TAGS = [
  'html',
  'head',
  'meta',
  'title',
  'link',
  'script',
  'body',
  'header',
  'main',
  'footer',
  'nav',
  'section',
  'div',
  'span',
  'a',
  'ol',
  'ul',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'pre',
  'code',
  'b',
  'strong',
  'em',
  'br',
  'hr',
  'blockquote',
  'form',
  'input',
  'button',
  'select',
  'option',
  'textarea',
  'label',
  'details',
  'summary',
];

/** The slice of the DOM the audit reads (the test project compiles without the DOM library). */
interface AuditElement {
  readonly tagName: string;
  readonly attributes: Iterable<{ readonly name: string; readonly value: string }>;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
}

interface AuditGlobal {
  readonly document: { querySelectorAll(selector: string): Iterable<AuditElement> & { readonly length: number } };
  readonly __xss?: unknown;
}

export async function injectedElements(page: Page): Promise<string[]> {
  return page.evaluate((allowedTags) => {
    const { document } = globalThis as unknown as AuditGlobal;
    const allowed = new Set(allowedTags);
    const found: string[] = [];
    for (const element of document.querySelectorAll('*')) {
      const tag = element.tagName.toLowerCase();
      if (!allowed.has(tag)) found.push(`<${tag}>`);
      for (const attribute of element.attributes) {
        if (attribute.name.startsWith('on')) found.push(`<${tag} ${attribute.name}>`);
        if (['href', 'src', 'action', 'formaction', 'data'].includes(attribute.name)) {
          if (/^\s*(javascript|data|vbscript):/i.test(attribute.value))
            found.push(`<${tag} ${attribute.name}=script URL>`);
        }
      }
      if (tag === 'script' && element.getAttribute('src') !== '/api/static/js/page.js') found.push('foreign <script>');
      if (tag === 'meta' && element.hasAttribute('http-equiv')) found.push('<meta http-equiv>');
      if (tag === 'link' && !/^\/api\/static\//.test(element.getAttribute('href') ?? '')) found.push('foreign <link>');
      if (
        tag === 'input' &&
        !(element.getAttribute('type') === 'hidden' && element.getAttribute('name') === '_method')
      ) {
        found.push('foreign <input>');
      }
    }
    if ((globalThis as unknown as AuditGlobal).__xss !== undefined) found.push('window.__xss set');
    if (document.querySelectorAll('script').length !== 1) found.push('script count');
    return found;
  }, PAGE_TAGS);
}
