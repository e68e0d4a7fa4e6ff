/**
 * Request headers: merging the client's and the call's, credentials, and the checks that keep a caller's value
 * from splitting one request into two (CR, LF or NUL anywhere in the method or a header is refused before
 * anything is sent).
 */
import { InvalidRequestError } from './errors.js';
import type { Auth, HeaderValues } from './options.js';

/** Lower-cased header name to value(s), as undici takes them. */
export type HeaderMap = Record<string, string | string[]>;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const INJECTION = /[\r\n\0]/;

/**
 * Refuses a method that is not an HTTP token (this also refuses CR, LF, NUL and spaces).
 * @example assertMethod('PURGE'); // ok; assertMethod('GET\r\n') throws InvalidRequestError
 */
export function assertMethod(method: string): void {
  if (!TOKEN.test(method)) throw new InvalidRequestError(`Invalid HTTP method ${JSON.stringify(method)}`);
}

/**
 * Refuses a text that would go on the wire with CR, LF or NUL in it (`what` names it in the error).
 * @example assertNoInjection('a\nb', 'fragment'); // throws InvalidRequestError
 */
export function assertNoInjection(text: string, what: string): void {
  if (INJECTION.test(text)) throw new InvalidRequestError(`CR, LF or NUL in ${what} ${JSON.stringify(text)}`);
}

function checkedValue(name: string, value: string | number): string {
  const text = String(value);
  assertNoInjection(text, `the value of header ${name}`);
  return text;
}

/**
 * Adds `headers` over `into` (lower-cased names; a later value replaces an earlier one; `undefined` removes).
 * @example mergeHeaders({}, { 'X-Trace': 'abc' }); // { 'x-trace': 'abc' }
 */
export function mergeHeaders(into: HeaderMap, headers: HeaderValues | undefined): HeaderMap {
  if (!headers) return into;
  for (const name of Object.keys(headers)) {
    if (!TOKEN.test(name)) throw new InvalidRequestError(`Invalid header name ${JSON.stringify(name)}`);
    const value = headers[name];
    const lower = name.toLowerCase();
    if (value === undefined) delete into[lower];
    else if (typeof value === 'string' || typeof value === 'number') into[lower] = checkedValue(name, value);
    else into[lower] = value.map((item) => checkedValue(name, item));
  }
  return into;
}

/**
 * The `Authorization` value for credentials.
 * @example authorization({ bearer: 't0k' }); // 'Bearer t0k'
 */
export function authorization(auth: Auth): string {
  const value =
    'bearer' in auth
      ? `Bearer ${auth.bearer}`
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
  assertNoInjection(value, 'the credentials');
  return value;
}
