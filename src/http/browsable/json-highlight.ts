/**
 * Pretty-prints a JSON value as HTML with syntax highlighting done on the server: 4-space indent (the seed's),
 * each token in a `<span class="j-…">`, every piece of text escaped, and string values that are http(s) URLs or
 * same-origin paths turned into links. Output is capped by plain-text length and always stops between whole
 * elements, so the HTML is never cut (the seed's bug B23).
 */
import { escapeHtml } from './escape.js';
import { linkTarget } from './links.js';

/**
 * The cap on the pretty JSON text, in characters (the seed truncated the whole page at this length).
 *
 * @example
 * highlightJson(hugeValue, MAX_JSON_CHARS).truncated; // true when the pretty text is longer
 */
export const MAX_JSON_CHARS = 1_000_000;

const INDENT = '    ';

/**
 * What {@link highlightJson} produced.
 *
 * @example
 * const { html, truncated }: HighlightedJson = highlightJson({ a: 1 });
 */
export interface HighlightedJson {
  readonly html: string;
  /** True when the text hit the cap and the rest was left out. */
  readonly truncated: boolean;
}

class HighlightWriter {
  /** The HTML so far; appended to in place (cheaper than collecting parts and joining them). */
  html = '';
  #remaining: number;
  truncated = false;

  constructor(limit: number) {
    this.#remaining = limit;
  }

  /**
   * Appends one token: `plain` is its text (what the cap counts), `escaped` its HTML, already escaped by the
   * caller, wrapped in a span when a class is given. At the cap the plain text is cut and escaped here, unlinked.
   */
  token(plain: string, escaped: string, className?: string): void {
    if (this.truncated) return;
    let html = escaped;
    if (plain.length > this.#remaining) {
      html = escapeHtml(plain.slice(0, this.#remaining));
      this.truncated = true;
      this.#remaining = 0;
    } else {
      this.#remaining -= plain.length;
    }
    this.html += className === undefined ? html : `<span class="${className}">${html}</span>`;
  }

  /** Appends text with nothing to escape (punctuation, whitespace, numbers, literals). */
  safe(plain: string, className?: string): void {
    this.token(plain, plain, className);
  }
}

/** JSON string literal text; U+2028/U+2029 escaped as in JSON embedded in pages (they break some parsers). */
const LINE_SEPARATORS = /[\u2028\u2029]/;

function quote(text: string): string {
  const literal = JSON.stringify(text);
  if (!LINE_SEPARATORS.test(literal)) return literal;
  return literal.replace(/[\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

/**
 * True when neither JSON nor HTML would escape any character of the text: no controls, `"`, `\\`, `&`, `<`,
 * `>`, `'`, lone surrogate halves or U+2028/U+2029. Then the literal is the text in quotes and its HTML is the
 * same with `&quot;`, with no JSON.stringify and no escaping pass: the common case for keys and values.
 */
function needsNoEscaping(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 34 || code === 38 || code === 39 || code === 60 || code === 62 || code === 92) {
      return false;
    }
    if (code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}

/** Appends a string as a JSON literal: escaped, and linked when `linkable` and {@link linkTarget} agrees. */
function writeString(out: HighlightWriter, text: string, className: string, linkable: boolean): void {
  // linkTarget only accepts `/…` and `http(s)://…`: skip its regexes for every other string.
  const first = text.charCodeAt(0);
  const href = linkable && (first === 47 || first === 104 || first === 72) ? linkTarget(text) : undefined;
  if (href !== undefined) {
    // A linkable string has no characters JSON escapes, so its literal is exactly `"` + href + `"`.
    const escapedHref = escapeHtml(href);
    out.token(`"${text}"`, `&quot;<a href="${escapedHref}">${escapedHref}</a>&quot;`, className);
  } else if (needsNoEscaping(text)) {
    out.token(`"${text}"`, `&quot;${text}&quot;`, className);
  } else {
    const literal = quote(text);
    out.token(literal, escapeHtml(literal), className);
  }
}

/** What `JSON.stringify` would emit for the value, after `toJSON`; undefined for values JSON leaves out. */
function jsonable(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  return value;
}

function isOmitted(value: unknown): value is undefined | symbol | ((...args: never[]) => unknown) {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** `\n` plus the indent for each depth, built once per depth. */
const NEWLINE_INDENTS: string[] = ['\n'];

function newlineIndent(depth: number): string {
  let text = NEWLINE_INDENTS[depth];
  if (text === undefined) {
    text = `\n${INDENT.repeat(depth)}`;
    NEWLINE_INDENTS[depth] = text;
  }
  return text;
}

function writeValue(out: HighlightWriter, raw: unknown, key: string, depth: number, seen: Set<object>): void {
  const value = jsonable(raw, key);
  if (value === null || isOmitted(value)) {
    out.safe('null', 'j-null');
  } else if (typeof value === 'string') {
    writeString(out, value, 'j-str', true);
  } else if (typeof value === 'number') {
    if (Number.isFinite(value)) out.safe(String(value), 'j-num');
    else out.safe('null', 'j-null');
  } else if (typeof value === 'bigint') {
    out.safe(value.toString(), 'j-num');
  } else if (typeof value === 'boolean') {
    out.safe(value ? 'true' : 'false', 'j-bool');
  } else if (seen.has(value)) {
    out.token('"[Circular]"', '&quot;[Circular]&quot;', 'j-str');
  } else {
    seen.add(value);
    if (Array.isArray(value)) writeArray(out, value, depth, seen);
    else writeObject(out, value as Record<string, unknown>, depth, seen);
    seen.delete(value);
  }
}

function writeArray(out: HighlightWriter, items: readonly unknown[], depth: number, seen: Set<object>): void {
  if (items.length === 0) {
    out.safe('[]', 'j-punct');
    return;
  }
  const inner = newlineIndent(depth + 1);
  const separator = `,${inner}`;
  out.safe('[', 'j-punct');
  // A plain loop, not forEach: holes in a sparse array print as null, as JSON.stringify prints them.
  for (let index = 0; index < items.length && !out.truncated; index += 1) {
    out.safe(index === 0 ? inner : separator);
    writeValue(out, items[index], String(index), depth + 1, seen);
  }
  out.safe(newlineIndent(depth));
  out.safe(']', 'j-punct');
}

function writeObject(out: HighlightWriter, record: Record<string, unknown>, depth: number, seen: Set<object>): void {
  const inner = newlineIndent(depth + 1);
  let written = 0;
  for (const key of Object.keys(record)) {
    if (out.truncated) break;
    const value = jsonable(record[key], key);
    if (isOmitted(value)) continue;
    if (written === 0) out.safe('{', 'j-punct');
    out.safe(written === 0 ? inner : `,${inner}`);
    written += 1;
    writeString(out, key, 'j-key', false);
    out.safe(': ');
    writeValue(out, value, key, depth + 1, seen);
  }
  if (written === 0) {
    out.safe('{}', 'j-punct');
    return;
  }
  out.safe(newlineIndent(depth));
  out.safe('}', 'j-punct');
}

/**
 * The value as highlighted, escaped, linkified HTML (to go inside a `<pre>`), capped at `limit` text characters.
 *
 * @example
 * highlightJson({ url: 'http://localhost/a', n: 1 }).html;
 * // '<span class="j-punct">{</span>\n    <span class="j-key">&quot;url&quot;</span>: <span class="j-str">…'
 */
export function highlightJson(value: unknown, limit: number = MAX_JSON_CHARS): HighlightedJson {
  const out = new HighlightWriter(limit);
  writeValue(out, value, '', 0, new Set());
  return { html: out.html, truncated: out.truncated };
}
