/**
 * Matching a raw path against a compiled rule in time linear in the path's length, with no regular
 * expression over the whole path (a rule with several parameters in one segment, or several `path`
 * parameters, made the old whole-path regex backtrack for seconds on a 4 KB path).
 *
 * The path is split at `/` into segments. Segments made of text and `string`-like parameters are matched one
 * by one: the text around the parameters must be there, and when one segment holds several parameters the
 * earlier ones take as much as they can (the separators are found from the right, once each), which is what
 * Werkzeug's greedy regex gives for plain parameters. `path` parameters take the shortest text that lets the
 * rest match (Werkzeug's lazy `[^/].*?`), found with one left-to-right scan per separator.
 */
import type { Converter, ParamValue } from './converters.js';

/** Literal rule text (`encoded` is how it appears on the wire) or a named, converted parameter. */
export type Token =
  | { readonly kind: 'static'; readonly text: string; readonly encoded: string }
  | {
      readonly kind: 'param';
      readonly name: string;
      readonly converter: Converter;
      /** The converter's pattern, anchored, for one piece of raw text. */
      readonly test: RegExp;
      /** The fewest raw characters the parameter can match. */
      readonly minLength: number;
    };

/** One path segment of a rule: tokens without `/`. */
export type SegmentTemplate = readonly Token[];

/** The part of a rule from the segment of its first `path` parameter to the segment of its last. */
export interface PathSpan {
  /** Static text before the first `path` parameter, within its segment. */
  readonly prefix: string;
  /** The `path` parameters, in order. */
  readonly params: readonly Extract<Token, { kind: 'param' }>[];
  /** Static text between consecutive `path` parameters (`separators[i]` follows `params[i]`). */
  readonly separators: readonly string[];
  /** Static text after the last `path` parameter, within its segment. */
  readonly suffix: string;
}

export type Params = Record<string, ParamValue>;

function decodePiece(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Converts one raw piece into `params`; false when the converter refuses it. */
function convert(token: Extract<Token, { kind: 'param' }>, raw: string, params: Params): boolean {
  if (!token.test.test(raw)) return false;
  const text = decodePiece(raw);
  if (text === undefined) return false;
  const value = token.converter.toValue(text);
  if (value === undefined) return false;
  params[token.name] = value;
  return true;
}

/**
 * Matches one raw segment against a template, filling `params`; linear in the segment's length.
 * @example matchSegment(template, 'foo-1.0-x86', params);
 */
export function matchSegment(template: SegmentTemplate, text: string, params: Params): boolean {
  let first = 0;
  let last = template.length - 1;
  let start = 0;
  let end = text.length;
  // Leading and trailing text must be there.
  while (first <= last) {
    const token = template[first] as Token;
    if (token.kind !== 'static') break;
    if (!text.startsWith(token.encoded, start)) return false;
    start += token.encoded.length;
    first++;
  }
  while (last >= first) {
    const token = template[last] as Token;
    if (token.kind !== 'static') break;
    if (end - token.encoded.length < start || !text.endsWith(token.encoded, end)) return false;
    end -= token.encoded.length;
    last--;
  }
  if (first > last) return start === end;
  // Now template[first] and template[last] are parameters; walk from the right, one separator at a time.
  let index = last;
  while (index > first) {
    const param = template[index] as Extract<Token, { kind: 'param' }>;
    const before = template[index - 1] as Token;
    const separator = before.kind === 'static' ? before.encoded : '';
    const previous = (before.kind === 'static' ? template[index - 2] : before) as Extract<Token, { kind: 'param' }>;
    const latest = end - param.minLength - separator.length;
    const at = separator === '' ? latest : text.lastIndexOf(separator, latest);
    if (at < start + previous.minLength) return false;
    if (!convert(param, text.slice(at + separator.length, end), params)) return false;
    end = at;
    index -= before.kind === 'static' ? 2 : 1;
  }
  return convert(template[first] as Extract<Token, { kind: 'param' }>, text.slice(start, end), params);
}

/**
 * Matches the raw text covered by a rule's `path` parameters (segments joined by `/`); linear in its length.
 * @example matchPathSpan(span, 'a/b/x/c', params);
 */
export function matchPathSpan(span: PathSpan, text: string, params: Params): boolean {
  if (!text.startsWith(span.prefix)) return false;
  const limit = text.length - span.suffix.length;
  if (limit <= span.prefix.length || !text.endsWith(span.suffix)) return false;
  let start = span.prefix.length;
  const { params: tokens, separators } = span;
  for (let index = 0; index < tokens.length; index++) {
    // A `path` value is never empty and never starts with `/`.
    if (start >= limit || text.charCodeAt(start) === 47) return false;
    let end = limit;
    if (index < tokens.length - 1) {
      const separator = separators[index] ?? '';
      let from = start + 1;
      for (;;) {
        const at = separator === '' ? from : text.indexOf(separator, from);
        if (at < 0 || at + separator.length >= limit) return false;
        if (text.charCodeAt(at + separator.length) !== 47) {
          end = at;
          break;
        }
        from = at + 1;
      }
      if (!convert(tokens[index] as Extract<Token, { kind: 'param' }>, text.slice(start, end), params)) return false;
      start = end + separator.length;
      continue;
    }
    if (!convert(tokens[index] as Extract<Token, { kind: 'param' }>, text.slice(start, end), params)) return false;
  }
  return true;
}
