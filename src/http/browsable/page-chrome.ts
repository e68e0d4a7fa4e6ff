/**
 * The parts of the resource page that depend only on the request path, the allowed methods and the formats:
 * breadcrumbs, the action bar, the allowed-method chips and the content form. They are the same for every
 * request to a route (and path), so they are built once and kept in a small bounded cache.
 */
import { breadcrumbs } from './breadcrumbs.js';
import { actionBar, contentForm } from './controls.js';
import { escapeHtml } from './escape.js';

/**
 * The already-escaped HTML of the page's chrome for one path, method set and format set.
 *
 * @example
 * const chrome: PageChrome = pageChrome('/second/', ['GET', 'HEAD', 'OPTIONS'], ['json', 'html']);
 */
export interface PageChrome {
  readonly breadcrumbs: string;
  readonly actions: string;
  readonly allowedMethods: string;
  readonly contentForm: string;
}

/**
 * The breadcrumb trail for a path, the last crumb being the current page.
 *
 * @example
 * breadcrumbNav('/second/'); // '<nav class="crumbs" aria-label="Breadcrumbs"><ol><li><a href="/">API root</a></li>…'
 */
export function breadcrumbNav(fullPath: string): string {
  const crumbs = breadcrumbs(fullPath);
  let items = '';
  for (let index = 0; index < crumbs.length; index += 1) {
    const crumb = crumbs[index];
    if (crumb === undefined) continue;
    items +=
      index === crumbs.length - 1
        ? `<li aria-current="page">${escapeHtml(crumb.label)}</li>`
        : `<li><a href="${escapeHtml(crumb.href)}">${escapeHtml(crumb.label)}</a></li>`;
  }
  return `<nav class="crumbs" aria-label="Breadcrumbs"><ol>${items}</ol></nav>`;
}

function allowedList(methods: readonly string[]): string {
  const chips = methods.map((method) => `<code class="chip">${escapeHtml(method)}</code>`).join(' ');
  return `<p class="allowed"><span class="label">Allowed methods</span> ${chips}</p>`;
}

function buildChrome(fullPath: string, methods: readonly string[], formats: readonly string[]): PageChrome {
  const allowed = new Set(methods.map((method) => method.toUpperCase()));
  return {
    breadcrumbs: breadcrumbNav(fullPath),
    actions: actionBar(fullPath, allowed, formats),
    allowedMethods: allowedList(methods),
    contentForm: contentForm(fullPath, allowed),
  };
}

const MAX_CACHED = 256;
const cache = new Map<string, PageChrome>();

/**
 * The cache key: methods, then formats, then the path, separated by line feeds. The path comes last, so as long
 * as no method or format contains a line feed, two different inputs can never share a key; when one does, the
 * chrome is built without caching.
 */
function cacheKey(fullPath: string, methods: readonly string[], formats: readonly string[]): string | undefined {
  let key = '';
  for (const list of [methods, formats]) {
    for (const item of list) {
      if (item.includes('\n')) return undefined;
      key += `${item} `;
    }
    key += '\n';
  }
  return key + fullPath;
}

/**
 * The page chrome for a path, its allowed methods and its `?format=` values, built once per distinct
 * combination (up to a bounded number kept).
 *
 * @example
 * pageChrome('/second/', ['GET', 'HEAD', 'OPTIONS'], ['json', 'html']).actions; // '<div class="actions">…'
 */
export function pageChrome(fullPath: string, methods: readonly string[], formats: readonly string[]): PageChrome {
  const key = cacheKey(fullPath, methods, formats);
  if (key === undefined) return buildChrome(fullPath, methods, formats);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const chrome = buildChrome(fullPath, methods, formats);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, chrome);
  return chrome;
}
