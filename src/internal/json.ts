/**
 * A bounded JSON parser shared by every part (the HTTP service and the HTTP client must not import each other).
 * Nesting is checked by a linear scan before parsing, so hostile input (a five-million-deep array) is refused
 * without building anything and without any recursion that could overflow the stack.
 */
import secureJson from 'secure-json-parse';

/** The default cap on JSON nesting (objects and arrays): the HTTP service's cap for request bodies. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting in a JSON text, found in one pass without recursion; brackets inside strings do not
 * count. Stops early once the depth passes `stopAbove`.
 * @example jsonDepth('[[1], {"a": "[["}]'); // 2
 */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Whether a JSON text nests deeper than `maxDepth`. A text with at most `maxDepth` opening brackets cannot,
 * and counting them (native `indexOf`, stopping past `maxDepth`) is much cheaper than the full scan, which
 * runs only for texts with more brackets than that.
 * @example nestsDeeperThan('[[[1]]]', 2); // true
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let openers = 0;
  for (let at = text.indexOf('{'); at !== -1 && openers <= maxDepth; at = text.indexOf('{', at + 1)) openers++;
  for (let at = text.indexOf('['); at !== -1 && openers <= maxDepth; at = text.indexOf('[', at + 1)) openers++;
  return openers > maxDepth && jsonDepth(text, maxDepth) > maxDepth;
}

/**
 * True when `text` cannot hold a `__proto__` or `constructor` key, so plain `JSON.parse` is as safe as
 * secure-json-parse and skips its two regular-expression scans: no such word and no `\u` escape (the only way
 * to spell one otherwise), and no byte-order mark (secure-json-parse strips one, JSON.parse refuses it).
 */
function cannotHoldPoison(text: string): boolean {
  return (
    text.charCodeAt(0) !== 0xfeff &&
    !text.includes('\\u') &&
    !text.includes('__proto__') &&
    !text.includes('constructor')
  );
}

/**
 * `JSON.parse` with `__proto__` and `constructor.prototype` keys removed (`'remove'`) or refused (`'error'`),
 * without secure-json-parse's scans when the text cannot hold such a key.
 * @example parseWithoutPoison('{"__proto__":{"x":1},"a":1}', 'remove'); // { a: 1 }
 */
export function parseWithoutPoison(text: string, poisoning: 'error' | 'remove'): unknown {
  if (cannotHoldPoison(text)) return JSON.parse(text);
  return secureJson.parse(text, undefined, { protoAction: poisoning, constructorAction: poisoning });
}

/** Why a JSON text was refused; `message` is a short sentence fit for an error description. */
export class JsonParseError extends Error {
  override readonly name = 'JsonParseError';
}

/** Options of {@link parseJson}. */
export interface JsonParseOptions {
  /** The deepest nesting accepted. Default {@link DEFAULT_MAX_JSON_DEPTH}. */
  readonly maxDepth?: number;
  /**
   * `__proto__` and `constructor.prototype` keys: refuse the text (`'error'`), remove the keys (`'remove'`) or
   * keep them as `JSON.parse` does, as own properties (`'keep'`, the default).
   */
  readonly poisoning?: 'error' | 'remove' | 'keep';
}

/**
 * Parses JSON text with a nesting cap; throws {@link JsonParseError} for malformed, too deep or (with
 * `poisoning: 'error'`) prototype-poisoning input.
 * @example parseJson('{"a":[1]}', { maxDepth: 64 }); // { a: [1] }
 */
export function parseJson(text: string, options: JsonParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  if (nestsDeeperThan(text, maxDepth)) throw new JsonParseError(`JSON nesting deeper than ${maxDepth} levels`);
  const poisoning = options.poisoning ?? 'keep';
  try {
    return poisoning === 'keep' ? JSON.parse(text) : parseWithoutPoison(text, poisoning);
  } catch (error) {
    throw new JsonParseError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
