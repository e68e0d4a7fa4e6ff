/**
 * Following a redirect the way browsers and requests do, without leaking credentials: a hop to another origin
 * keeps only an allow-list of harmless headers (every other header the caller set may be a credential:
 * `Authorization`, `Cookie`, `X-Api-Key`, ...); 303 (and 301/302 after a POST) becomes a GET without a body;
 * only `http:` and `https:` targets are followed.
 */
import type { HeaderMap } from './headers.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding'];
/**
 * What crosses to another origin: the headers browsers send without asking (the CORS-safelisted ones, plus
 * User-Agent), and the headers that describe a body that is sent again (307/308). Everything else is dropped.
 */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'content-language', 'user-agent']);

function crossOriginHeaders(headers: HeaderMap, keepBody: boolean): HeaderMap {
  const kept: HeaderMap = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (CROSS_ORIGIN_HEADERS.has(name) || (keepBody && BODY_HEADERS.includes(name))) kept[name] = value;
  }
  return kept;
}

/** The request to send after a redirect. */
export interface RedirectHop {
  readonly origin: string;
  readonly target: string;
  readonly method: string;
  readonly headers: HeaderMap;
  readonly dropBody: boolean;
}

/**
 * Whether a status is a redirect with somewhere to go.
 * @example isRedirect(302, '/next'); // true
 */
export function isRedirect(status: number, location: string | string[] | undefined): location is string | string[] {
  return REDIRECT_STATUSES.has(status) && location !== undefined && location.length > 0;
}

/**
 * The next hop, or a reason string when the redirect must not be followed.
 * @example nextHop('http://a', '/x', 'GET', {}, 302, 'http://b/y').origin; // 'http://b'
 */
export function nextHop(
  origin: string,
  target: string,
  method: string,
  headers: HeaderMap,
  status: number,
  location: string | string[],
): RedirectHop | string {
  const raw = Array.isArray(location) ? (location[0] ?? '') : location;
  let next: URL;
  try {
    next = new URL(raw, `${origin}${target}`);
  } catch {
    return `invalid Location ${JSON.stringify(raw)}`;
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return `will not follow to ${next.protocol}`;
  const toGet = status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  const nextHeaders: HeaderMap = next.origin === origin ? { ...headers } : crossOriginHeaders(headers, !toGet);
  if (toGet) for (const name of BODY_HEADERS) delete nextHeaders[name];
  return {
    origin: next.origin,
    target: `${next.pathname}${next.search}`,
    method: toGet ? 'GET' : method,
    headers: nextHeaders,
    dropBody: toGet,
  };
}
