/**
 * Query strings the way the seed built them with Python's `parse_qs` and `urlencode(doseq=True)`: a query is a
 * map from key to a list of values, keys keep their first position, list values repeat the key, and encoding is
 * `quote_plus` (space as `+`, only letters, digits and `_.-~` left bare).
 */

/** One value of a query key. `null` and `undefined` remove the key (useful to drop an endpoint's own key). */
export type QueryScalar = string | number | boolean | bigint;
/** A query given as an object: arrays repeat the key (`{ a: [1, 2] }` gives `a=1&a=2`). */
export type QueryObject = Readonly<Record<string, QueryScalar | readonly QueryScalar[] | null | undefined>>;
/** A parsed query: key to values, in first-seen key order. */
export type QueryMap = Map<string, string[]>;

const EXTRA_RESERVED = /[!'()*]/g;

/** `quote_plus`: percent-encodes everything but letters, digits and `_.-~`; a space becomes `+`. */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(EXTRA_RESERVED, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** `unquote_plus`, lenient as Python's: a malformed escape is kept as written instead of throwing. */
export function unquotePlus(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * Parses `a=1&a=2&b=` into `{a: ['1','2'], b: ['']}`; blank values are dropped unless `keepBlankValues`.
 * @example parseQuery('q=1&e=', true); // Map { 'q' => ['1'], 'e' => [''] }
 */
export function parseQuery(query: string, keepBlankValues: boolean): QueryMap {
  const parsed: QueryMap = new Map();
  const text = query.startsWith('?') ? query.slice(1) : query;
  if (text === '') return parsed;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    if (equals === -1 && !keepBlankValues) continue;
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    if (rawValue === '' && !keepBlankValues) continue;
    const key = unquotePlus(equals === -1 ? pair : pair.slice(0, equals));
    const values = parsed.get(key);
    if (values) values.push(unquotePlus(rawValue));
    else parsed.set(key, [unquotePlus(rawValue)]);
  }
  return parsed;
}

/** Turns a query object into the map form; `null`/`undefined` values become "remove this key" (`undefined`). */
function objectToEntries(query: QueryObject): Array<[string, string[] | undefined]> {
  const entries: Array<[string, string[] | undefined]> = [];
  for (const key of Object.keys(query)) {
    const value = query[key];
    if (value === null || value === undefined) entries.push([key, undefined]);
    else if (Array.isArray(value)) entries.push([key, value.map(String)]);
    else entries.push([key, [String(value)]]);
  }
  return entries;
}

/**
 * Merges `query` over `base` key by key (a key's whole list is replaced; existing keys keep their position).
 * @example mergeQuery(parseQuery('token=abc&x=', true), { q: 1, token: 'override' }, true); // token, x, q
 */
export function mergeQuery(base: QueryMap, query: QueryObject | string, keepBlankValues: boolean): QueryMap {
  const merged: QueryMap = new Map(base);
  const entries = typeof query === 'string' ? [...parseQuery(query, keepBlankValues)] : objectToEntries(query);
  for (const [key, values] of entries) {
    if (values === undefined) merged.delete(key);
    else merged.set(key, values);
  }
  return merged;
}

/**
 * Encodes a query map as `urlencode(doseq=True)` does, without the leading `?`.
 * @example encodeQuery(new Map([['a', ['1', '2']], ['b', ['x y']]])); // 'a=1&a=2&b=x+y'
 */
export function encodeQuery(query: QueryMap): string {
  const parts: string[] = [];
  for (const [key, values] of query) {
    const encodedKey = quotePlus(key);
    for (const value of values) parts.push(`${encodedKey}=${quotePlus(value)}`);
  }
  return parts.join('&');
}
