/**
 * From a complete response to a result: the seed's `handle_response` (SEED-BEHAVIOUR §4.5) with the fixes
 * listed in docs/client.md. "Falsy" means Python's falsiness, since the seed's rules depend on it.
 */
import { JsonParseError, parseJson } from '../internal/json.js';
import { ResponseError, type ResponseSnapshot } from './errors.js';
import type { RawResponse } from './transport.js';

/** The client settings the rules read. */
export interface ResponseRules {
  readonly okStatuses: ReadonlySet<number>;
  readonly toNoneStatuses: ReadonlySet<number>;
  /** `okStatuses` as the seed printed them: `(200, 201, 202)`. */
  readonly okStatusesText: string;
  readonly emptyToNone: boolean;
  /** Statuses that carry no body by definition (204, 205, 304): they give `null`, whatever `okStatuses` says. */
  readonly noContentStatuses: ReadonlySet<number>;
  /** The deepest JSON nesting accepted in a response body. */
  readonly maxJsonDepth: number;
}

/**
 * Python's truthiness: `null`, `false`, `0`, `""`, `[]` and `{}` are falsy.
 * @example isFalsy({}); // true
 */
export function isFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    for (const _ in value) return false;
    return true;
  }
  return false;
}

/**
 * A tuple the way Python prints it: `(200, 201, 202)`, `(203,)`, `()`.
 * @example pythonTuple([203]); // '(203,)'
 */
export function pythonTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b|^text\/json\b/i;

function contentTypeOf(raw: RawResponse): string {
  const header = raw.headers['content-type'];
  return (Array.isArray(header) ? header[0] : header) ?? '';
}

function snapshot(raw: RawResponse, url: string): ResponseSnapshot {
  return { statusCode: raw.statusCode, headers: raw.headers, content: raw.text, url };
}

type Parsed = { readonly json: unknown } | { readonly notJson: string | Error };

/**
 * JSON is recognised by Content-Type; a body without one is tried as JSON too (as the seed tried every body).
 * Nesting is capped (a linear scan first, so a hostile body costs no recursion); a syntax error is described by
 * the parser's own error, as the seed's `ValueError`.
 */
function parseBody(raw: RawResponse, maxDepth: number): Parsed {
  const type = contentTypeOf(raw);
  if (type !== '' && !JSON_TYPE.test(type)) return { notJson: `Response is not JSON (Content-Type: ${type})` };
  try {
    return { json: parseJson(raw.text, { maxDepth }) };
  } catch (error) {
    if (error instanceof JsonParseError && error.cause instanceof Error) return { notJson: error.cause };
    return { notJson: error instanceof Error ? `${error.message} (maxJsonDepth)` : String(error) };
  }
}

function extractKey(result: unknown, key: string, fail: (description: string) => ResponseError): unknown {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    const kind = Array.isArray(result) ? 'a list' : `a ${typeof result}`;
    throw fail(`Response key ${JSON.stringify(key)} cannot be read: the response is ${kind}, not an object`);
  }
  if (!Object.hasOwn(result, key)) throw fail('Response key not found!');
  return (result as Record<string, unknown>)[key];
}

/**
 * Applies the response rules to a complete response.
 * @example handleResponse(raw, 'response', rules, url); // the value under "response", or a ResponseError
 */
export function handleResponse(raw: RawResponse, key: string | undefined, rules: ResponseRules, url: string): unknown {
  const status = raw.statusCode;
  const fail = (description: string | Error): ResponseError => new ResponseError(snapshot(raw, url), description);
  const statusFailure = (): ResponseError => fail(`Status code ${status} not in ok_statuses ${rules.okStatusesText}`);
  // Fix: 204, 205 and 304 have no body by definition; they are an answer, not a failure (the seed raised).
  if (rules.noContentStatuses.has(status)) return null;
  const ok = rules.okStatuses.has(status);
  const toNone = rules.toNoneStatuses.has(status);

  // Fix: an empty body is status-checked like any other (the seed failed on it as "not JSON").
  if (raw.text === '') {
    if (ok || toNone) return null;
    throw statusFailure();
  }
  const parsed = parseBody(raw, rules.maxJsonDepth);
  if ('notJson' in parsed) {
    // Fix: an error page that is not JSON is reported by its status, with the body in `content`.
    if (key !== undefined && toNone) return null;
    if (!ok) throw statusFailure();
    throw fail(parsed.notJson);
  }
  let result = parsed.json;
  if (!isFalsy(result)) {
    if (key !== undefined && ok) result = extractKey(result, key, fail);
    else if (key !== undefined && toNone) result = null;
    else if (!ok && !toNone) throw statusFailure();
  }
  if (key !== undefined && rules.emptyToNone && result !== null && isFalsy(result)) result = null;
  return result;
}
