/**
 * The parts of the resource page that depend only on the request path, the allowed methods and the formats:
 * breadcrumbs, the action bar, the allowed-method chips and the content form. They are the same for every
 * request to a route (and path), so they are built once and kept in a cache bounded by bytes: the request
 * target is part of the key, so a client sending long distinct queries must not be able to grow it.
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

/** The most the cache holds, counting two bytes per UTF-16 code unit of keys and values. */
const CACHE_BUDGET_BYTES = 8 * 1024 * 1024;
/** Chrome bigger than this (a very long request target) is built each time, never kept. */
const MAX_ENTRY_BYTES = 64 * 1024;
/** A rough allowance for the Map entry and the chrome object around the strings. */
const ENTRY_OVERHEAD_BYTES = 160;

interface CachedChrome {
  readonly chrome: PageChrome;
  readonly bytes: number;
}

const cache = new Map<string, CachedChrome>();
let cachedBytes = 0;

function entryBytes(key: string, chrome: PageChrome): number {
  const units =
    key.length +
    chrome.breadcrumbs.length +
    chrome.actions.length +
    chrome.allowedMethods.length +
    chrome.contentForm.length;
  return 2 * units + ENTRY_OVERHEAD_BYTES;
}

/**
 * Strings built by concatenation are trees of pieces in V8 (an escaped query can be hundreds of small pieces,
 * each with its own header); reading a character makes V8 replace the tree with one flat copy, so what the
 * cache keeps is close to what it counts.
 */
function flatten(...texts: string[]): void {
  for (const text of texts) text.charCodeAt(0);
}

/** Keeps `chrome` under `key`, evicting the oldest entries until the budget holds it. */
function remember(key: string, chrome: PageChrome): void {
  const bytes = entryBytes(key, chrome);
  if (bytes > MAX_ENTRY_BYTES) return;
  flatten(key, chrome.breadcrumbs, chrome.actions, chrome.allowedMethods, chrome.contentForm);
  for (const [oldKey, old] of cache) {
    if (cachedBytes + bytes <= CACHE_BUDGET_BYTES) break;
    cache.delete(oldKey);
    cachedBytes -= old.bytes;
  }
  cache.set(key, { chrome, bytes });
  cachedBytes += bytes;
}

/**
 * The cache's size as counted against its budget (internal; for tests).
 * @example pageChromeCacheBytes() <= pageChromeCacheBudget(); // true
 */
export function pageChromeCacheBytes(): number {
  return cachedBytes;
}

/** The byte budget of the cache (internal; for tests). */
export function pageChromeCacheBudget(): number {
  return CACHE_BUDGET_BYTES;
}

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
 * combination (as many kept as fit the byte budget, oldest dropped first).
 *
 * @example
 * pageChrome('/second/', ['GET', 'HEAD', 'OPTIONS'], ['json', 'html']).actions; // '<div class="actions">…'
 */
export function pageChrome(fullPath: string, methods: readonly string[], formats: readonly string[]): PageChrome {
  const key = cacheKey(fullPath, methods, formats);
  if (key === undefined) return buildChrome(fullPath, methods, formats);
  const cached = cache.get(key);
  if (cached !== undefined) return cached.chrome;
  const chrome = buildChrome(fullPath, methods, formats);
  remember(key, chrome);
  return chrome;
}
