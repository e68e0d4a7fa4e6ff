/**
 * JSON in and out of the service. Decoding refuses prototype poisoning and excessive nesting (checked with a
 * linear scan before parsing, so hostile input never reaches a recursive step); encoding keeps non-ASCII
 * text raw, writes dates as ISO 8601 and bigints as strings, and names the reason when a value cannot be encoded.
 */
import { CODES, MicroservicesError } from '../errors.js';
import { nestsDeeperThan, parseWithoutPoison } from '../internal/json.js';

export { DEFAULT_MAX_JSON_DEPTH, jsonDepth } from '../internal/json.js';

/**
 * What to do with `__proto__` and `constructor.prototype` keys in JSON bodies: refuse the body (400, the
 * default) or remove the keys.
 * @example new Microservice('x', { protoPoisoning: 'remove' });
 */
export type ProtoPoisoning = 'error' | 'remove';

/** Why a JSON body was refused; the message is what the client sees. */
export class JsonBodyError extends Error {}

/**
 * Parses a request body: throws `JsonBodyError` for empty, malformed, too deep or (unless `poisoning` is
 * `'remove'`) prototype-poisoning input.
 * @example decodeJsonBody('{"a":1}', 64); // { a: 1 }
 */
export function decodeJsonBody(text: string, maxDepth: number, poisoning: ProtoPoisoning = 'error'): unknown {
  if (text.trim() === '') throw new JsonBodyError('JSON parse error - the body is empty');
  if (nestsDeeperThan(text, maxDepth)) {
    throw new JsonBodyError(`JSON parse error - nesting deeper than ${maxDepth} levels`);
  }
  try {
    return parseWithoutPoison(text, poisoning);
  } catch (error) {
    throw new JsonBodyError(`JSON parse error - ${(error as Error).message}`);
  }
}

/** What a client is told when its response cannot be encoded, unless the service runs with `exposeErrors`. */
export const JSON_ENCODE_FAILED = 'The response could not be encoded as JSON.';

/**
 * A response value that JSON cannot represent (a cycle, a throwing `toJSON`). The service answers 500 with
 * `JSON_ENCODE_FAILED`; `message` (for the log) names only what `JSON.stringify` itself reports, never the text of
 * an error thrown by the application's own `toJSON` or getters, which may carry data; `detail` has that text too
 * and is shown only with `exposeErrors`.
 * @example try { encodeJson(cyclic); } catch (error) { error instanceof JsonEncodeError; }
 */
export class JsonEncodeError extends MicroservicesError {
  /** The full reason, the application's own error text included: for `exposeErrors` only. */
  readonly detail: string;

  /** @example throw new JsonEncodeError('Converting circular structure to JSON'); */
  constructor(reason: string, cause?: unknown, detail: string = reason) {
    super(CODES.MS_HTTP_JSON_ENCODE, `The response could not be encoded as JSON: ${reason}`, { status: 500, cause });
    this.detail = `The response could not be encoded as JSON: ${detail}`;
  }
}

/** JSON.stringify's own complaints; anything else was thrown by application code (a toJSON method, a getter). */
const OWN_FAILURE = /^(?:Converting circular structure to JSON|Do not know how to serialize a BigInt)/;

function encodeFailure(error: unknown): JsonEncodeError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TypeError && OWN_FAILURE.test(message)) return new JsonEncodeError(message, error);
  const name = error instanceof Error ? error.name : typeof error;
  return new JsonEncodeError(
    `a toJSON method or getter threw ${name} (its message is shown only with exposeErrors)`,
    error,
    message,
  );
}

function replacer(_key: string, value: unknown): unknown {
  // Dates arrive here already as ISO strings through Date#toJSON; only bigint needs help.
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Encodes a response value: `indent` spaces per level (compact when undefined).
 * @example encodeJson({ when: new Date(0), big: 1n }); // '{"when":"1970-01-01T00:00:00.000Z","big":"1"}'
 */
export function encodeJson(value: unknown, indent?: number): string {
  let text: string | undefined;
  try {
    // A replacer makes every value slower; only bigint needs one, and without it JSON.stringify throws on one.
    text = JSON.stringify(value, undefined, indent);
  } catch (first) {
    try {
      text = JSON.stringify(value, replacer, indent);
    } catch (error) {
      throw encodeFailure(error);
    }
    if (!(first instanceof TypeError && /BigInt/i.test(first.message))) throw encodeFailure(first);
  }
  if (text === undefined) throw new JsonEncodeError(`a value of type ${typeof value} has no JSON form`);
  return text;
}
