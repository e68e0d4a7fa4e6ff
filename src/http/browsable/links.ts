/**
 * Decides which strings become links on the page and makes hrefs that cannot leave the intended origin by
 * accident: only `http:`/`https:` URLs and same-origin paths, never `javascript:` or protocol-relative `//host`.
 */

const MAX_LINK_LENGTH = 2048;

/**
 * The href for a string from the data, or undefined when it should stay plain text: absolute `http(s)` URLs
 * and same-origin paths (`/x/y`) qualify; anything with whitespace, control characters or another scheme does not.
 *
 * @example
 * linkTarget('http://localhost:5000/second/'); // 'http://localhost:5000/second/'
 * linkTarget('/second/'); // '/second/'
 * linkTarget('javascript:alert(1)'); // undefined
 */
export function linkTarget(text: string): string | undefined {
  if (text.length < 1 || text.length > MAX_LINK_LENGTH) return undefined;
  // Whitespace, controls, quotes and angle brackets never appear in a URL a server means as a link.
  if (/[\s\p{Cc}"'<>\\`]/u.test(text)) return undefined;
  if (text.startsWith('/')) {
    // `//host` and `/\host` are protocol-relative in browsers: another origin, so not a same-origin path.
    return text[1] === '/' ? undefined : text;
  }
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A same-origin href for the page's own path (the request target as received): forces a single leading `/`
 * so a target such as `//evil.test/x` cannot turn the GET button or a form action into an off-site link.
 *
 * @example
 * selfHref('/second/?a=1'); // '/second/?a=1'
 * selfHref('//evil.test/x'); // '/.//evil.test/x' (still this origin)
 */
export function selfHref(fullPath: string): string {
  const path = fullPath.startsWith('/') ? fullPath : `/${fullPath}`;
  // Browsers read `\` as `/`, so `/\host` is as protocol-relative as `//host`.
  return path[1] === '/' || path[1] === '\\' ? `/.${path}` : path;
}

/**
 * The page's own path with `format` set in the query (other query parameters kept, in order).
 *
 * @example
 * withFormat('/second/?a=1&format=html', 'json'); // '/second/?a=1&format=json'
 */
export function withFormat(fullPath: string, format: string): string {
  const queryStart = fullPath.indexOf('?');
  const path = queryStart === -1 ? fullPath : fullPath.slice(0, queryStart);
  const query = queryStart === -1 ? '' : fullPath.slice(queryStart + 1);
  const kept = query.split('&').filter((pair) => pair !== '' && pair.split('=')[0] !== 'format');
  kept.push(`format=${encodeURIComponent(format)}`);
  return `${selfHref(path)}?${kept.join('&')}`;
}

/**
 * The page's own path without any `format` parameter: what the GET button reloads (plain negotiation).
 *
 * @example
 * withoutFormat('/second/?format=html&a=1'); // '/second/?a=1'
 */
export function withoutFormat(fullPath: string): string {
  const queryStart = fullPath.indexOf('?');
  if (queryStart === -1) return selfHref(fullPath);
  const kept = fullPath
    .slice(queryStart + 1)
    .split('&')
    .filter((pair) => pair !== '' && pair.split('=')[0] !== 'format');
  const path = selfHref(fullPath.slice(0, queryStart));
  return kept.length === 0 ? path : `${path}?${kept.join('&')}`;
}
