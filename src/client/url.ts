/**
 * The client's endpoint, parsed once, and the per-call URL building on top of it (string operations only: the
 * hot path never re-parses the endpoint). The rules follow the seed's `Client.url_for`, with path parts
 * percent-encoded and empty segments dropped so that no `//` appears.
 */
import { maskPassword } from '../secrets.js';
import { InvalidEndpointError, InvalidRequestError } from './errors.js';
import { encodeQuery, mergeQuery, parseQuery, type QueryMap, type QueryObject } from './query.js';

/** One path part: a string (a `/` inside it separates segments, as in the seed) or a number. */
export type PathPart = string | number;

/** The parts of an endpoint URL that every request reuses. */
export interface ParsedEndpoint {
  /** `scheme://netloc`, with user info and port, as the seed's `client.endpoint`. */
  readonly endpoint: string;
  /** `scheme://host:port`, what the connection pool is keyed by. */
  readonly origin: string;
  /** `user:password` from the URL, percent-decoded, or `undefined`. */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** The base path without its trailing slash, e.g. `/test/1` (the seed's `client.path`). */
  readonly path: string;
  /** The endpoint's own query, parsed. */
  readonly query: QueryMap;
  /** The `;params` part of the last path segment. */
  readonly params: string;
  /** The `#fragment` part. */
  readonly fragment: string;
}

const SCHEME_AND_REST = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const FORBIDDEN_IN_URL = /[\s\0]/;

function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function splitCredentials(netloc: string): ParsedEndpoint['credentials'] {
  const at = netloc.lastIndexOf('@');
  if (at === -1) return undefined;
  const userInfo = netloc.slice(0, at);
  const colon = userInfo.indexOf(':');
  const username = decodeUserInfo(colon === -1 ? userInfo : userInfo.slice(0, colon));
  const password = colon === -1 ? '' : decodeUserInfo(userInfo.slice(colon + 1));
  return { username, password };
}

/**
 * Parses an endpoint as the seed did (one trailing `/` of the whole string is dropped, then `urlparse`).
 * @example parseEndpoint('http://user:pw@h:8000/test/1/', true).path; // '/test/1'
 */
export function parseEndpoint(raw: string, keepBlankValues: boolean): ParsedEndpoint {
  const trimmed = raw.endsWith('/') ? raw.slice(0, -1) : raw;
  const match = SCHEME_AND_REST.exec(trimmed);
  if (!match) throw new InvalidEndpointError(maskPassword(raw), 'expected an absolute http:// or https:// URL');
  const scheme = (match[1] ?? '').toLowerCase();
  const netloc = match[2] ?? '';
  if (scheme !== 'http' && scheme !== 'https') {
    throw new InvalidEndpointError(maskPassword(raw), `unsupported scheme ${scheme}`);
  }
  if (netloc === '' || FORBIDDEN_IN_URL.test(trimmed)) {
    throw new InvalidEndpointError(maskPassword(raw), 'missing host, or whitespace or NUL in the URL');
  }
  let rest = match[3] ?? '';
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const question = rest.indexOf('?');
  if (question !== -1) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  let params = '';
  const semicolon = rest.indexOf(';', rest.lastIndexOf('/'));
  if (semicolon !== -1) {
    params = rest.slice(semicolon + 1);
    rest = rest.slice(0, semicolon);
  }
  const host = netloc.slice(netloc.lastIndexOf('@') + 1);
  return {
    endpoint: `${scheme}://${netloc}`,
    origin: `${scheme}://${host}`,
    credentials: splitCredentials(netloc),
    path: rest,
    query: parseQuery(query, keepBlankValues),
    params,
    fragment,
  };
}

/**
 * Encodes one path segment. `.` and `..` are refused: encoded as `%2E%2E` they are still dot segments to a URL
 * parser (WHATWG URL, and so `new URL()` in a Node server, resolves `/api/%2E%2E/admin` to `/admin`), so no
 * encoding keeps them inside the base path.
 */
function encodeSegment(segment: string): string {
  if (segment === '.' || segment === '..') {
    throw new InvalidRequestError(`A path part may not be the segment ${JSON.stringify(segment)}`);
  }
  try {
    return encodeURIComponent(segment);
  } catch {
    throw new InvalidRequestError(`A path part is not well-formed text (a lone surrogate): ${JSON.stringify(segment)}`);
  }
}

// encodeURIComponent escapes these too, but they are allowed as they are in a path segment (RFC 3986 pchar).
const PCHAR_ESCAPES = /%(?:3B|2C|3A|40|26|3D|2B|24)/g;

/**
 * Encodes a call's `params` as the text of one path segment: `/`, `?`, `#` and `%` are percent-encoded, so the
 * value can neither add segments (no `..` climbing), nor start the query or the fragment; `;`, `=`, `,`, `&`,
 * `:`, `@`, `+` and `$` stay as they are.
 * @example encodeParams('p?admin=1#/../../y'); // 'p%3Fadmin=1%23%2F..%2F..%2Fy'
 */
export function encodeParams(params: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(params);
  } catch {
    throw new InvalidRequestError(`params ${JSON.stringify(params)} is not well-formed text (a lone surrogate)`);
  }
  return encoded.replace(PCHAR_ESCAPES, decodeURIComponent);
}

/**
 * Joins path parts into `a/b/c`: each part is split on `/`, empty segments are dropped, each segment is
 * percent-encoded. A trailing `/` on the last part is kept (`'1/2', '3/'` gives `1/2/3/`).
 * @example buildResource(['second', 'one', 2]); // 'second/one/2'
 */
export function buildResource(parts: readonly PathPart[]): string {
  let resource = '';
  for (const part of parts) {
    if (typeof part === 'number') {
      resource = resource === '' ? encodeSegment(String(part)) : `${resource}/${encodeSegment(String(part))}`;
      continue;
    }
    for (const segment of part.split('/')) {
      if (segment === '') continue;
      resource = resource === '' ? encodeSegment(segment) : `${resource}/${encodeSegment(segment)}`;
    }
  }
  const last = parts[parts.length - 1];
  if (resource !== '' && typeof last === 'string' && last.endsWith('/')) resource += '/';
  return resource;
}

/** Per-call URL pieces, as in the seed's `url_for(resource, query, params, fragment, keep_blank_values)`. */
export interface UrlOptions {
  readonly query?: QueryObject | string | undefined;
  readonly params?: string | undefined;
  readonly fragment?: string | undefined;
  readonly keepBlankValues?: boolean | undefined;
}

/** A built URL: what goes on the request line, and the full URL for logs (`logUrl` has the password masked). */
export interface BuiltUrl {
  /** Path, `;params` and `?query`: the request target sent to the server. */
  readonly target: string;
  /** The full URL with user info (the seed's `url_for` result). */
  readonly url: string;
  /** The full URL with any password masked, for logs and error messages. */
  readonly logUrl: string;
}

/**
 * Builds request URLs for one endpoint. The endpoint is parsed once; every call is string concatenation.
 * @example new UrlBuilder(parseEndpoint('http://h:5000/', true), true, true).build(['a', 'b']).url; // 'http://h:5000/a/b/'
 */
export class UrlBuilder {
  readonly #endpointQuery: string;
  readonly #maskedEndpoint: string;
  /** The base path ready for `/resource` to be appended (a trailing `/` would give `//`). */
  readonly #joinPath: string;

  readonly #keepBlankValues: boolean;

  readonly #closeSlash: boolean;

  readonly #parsed: ParsedEndpoint;

  constructor(parsed: ParsedEndpoint, closeSlash: boolean, keepBlankValues: boolean) {
    this.#keepBlankValues = keepBlankValues;
    this.#closeSlash = closeSlash;
    this.#parsed = parsed;
    this.#endpointQuery = encodeQuery(parsed.query);
    this.#maskedEndpoint = maskPassword(parsed.endpoint);
    this.#joinPath = parsed.path.endsWith('/') ? parsed.path.slice(0, -1) : parsed.path;
  }

  /** Builds the URL for `parts` (already joined by {@link buildResource} when `resource` is given). */
  build(parts: readonly PathPart[], options?: UrlOptions, resource = buildResource(parts)): BuiltUrl {
    let path = resource === '' ? this.#parsed.path : `${this.#joinPath}/${resource}`;
    if (this.#closeSlash && !path.endsWith('/')) path += '/';
    // The endpoint's own params are URL text already; a call's are a value to encode.
    const params = options?.params ? encodeParams(options.params) : this.#parsed.params;
    if (params) path += `;${params}`;
    const query = this.#queryFor(options);
    const target = `${path.startsWith('/') ? path : `/${path}`}${query === '' ? '' : `?${query}`}`;
    const fragment = options?.fragment || this.#parsed.fragment;
    const tail = `${path}${query === '' ? '' : `?${query}`}${fragment ? `#${fragment}` : ''}`;
    return { target, url: `${this.#parsed.endpoint}${tail}`, logUrl: `${this.#maskedEndpoint}${tail}` };
  }

  #queryFor(options: UrlOptions | undefined): string {
    const query = options?.query;
    if (query === undefined || query === '') return this.#endpointQuery;
    const keepBlank = options?.keepBlankValues ?? this.#keepBlankValues;
    return encodeQuery(mergeQuery(this.#parsed.query, query, keepBlank));
  }
}
