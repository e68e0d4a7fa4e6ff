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
  private readonly parts: string[] = [];
  private remaining: number;
  truncated = false;

  constructor(limit: number) {
    this.remaining = limit;
  }

  /** Appends plain text (escaped here), wrapped in a span when a class is given; cuts text at the cap. */
  text(plain: string, className?: string, href?: string): void {
    if (this.truncated) return;
    let shown = plain;
    if (plain.length > this.remaining) {
      shown = plain.slice(0, this.remaining);
      this.truncated = true;
      href = undefined;
    }
    this.remaining -= shown.length;
    // A linkable string has no characters JSON escapes, so its literal is exactly `"` + href + `"`.
    const html =
      href === undefined ? escapeHtml(shown) : `&quot;<a href="${escapeHtml(href)}">${escapeHtml(href)}</a>&quot;`;
    this.parts.push(className === undefined ? html : `<span class="${className}">${html}</span>`);
  }

  result(): string {
    return this.parts.join('');
  }
}

/** JSON string literal text; U+2028/U+2029 escaped as in JSON embedded in pages (they break some parsers). */
const LINE_SEPARATORS = /[\u2028\u2029]/;

function quote(text: string): string {
  const literal = JSON.stringify(text);
  if (!LINE_SEPARATORS.test(literal)) return literal;
  return literal.replace(/[\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

/** What `JSON.stringify` would emit for the value, after `toJSON`; undefined for values JSON leaves out. */
function jsonable(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  return value;
}

function writeValue(out: HighlightWriter, raw: unknown, key: string, depth: number, seen: Set<object>): void {
  const value = jsonable(raw, key);
  if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    out.text('null', 'j-null');
  } else if (typeof value === 'string') {
    out.text(quote(value), 'j-str', linkTarget(value));
  } else if (typeof value === 'number') {
    out.text(Number.isFinite(value) ? String(value) : 'null', Number.isFinite(value) ? 'j-num' : 'j-null');
  } else if (typeof value === 'bigint') {
    out.text(value.toString(), 'j-num');
  } else if (typeof value === 'boolean') {
    out.text(String(value), 'j-bool');
  } else if (seen.has(value)) {
    out.text('"[Circular]"', 'j-str');
  } else {
    seen.add(value);
    if (Array.isArray(value)) writeArray(out, value, depth, seen);
    else writeObject(out, value as Record<string, unknown>, depth, seen);
    seen.delete(value);
  }
}

function writeArray(out: HighlightWriter, items: readonly unknown[], depth: number, seen: Set<object>): void {
  if (items.length === 0) {
    out.text('[]', 'j-punct');
    return;
  }
  const inner = `\n${INDENT.repeat(depth + 1)}`;
  out.text('[', 'j-punct');
  items.forEach((item, index) => {
    if (out.truncated) return;
    out.text(index === 0 ? inner : `,${inner}`);
    writeValue(out, item, String(index), depth + 1, seen);
  });
  out.text(`\n${INDENT.repeat(depth)}`);
  out.text(']', 'j-punct');
}

function writeObject(out: HighlightWriter, record: Record<string, unknown>, depth: number, seen: Set<object>): void {
  const entries = Object.keys(record)
    .map((key) => [key, jsonable(record[key], key)] as const)
    .filter(([, value]) => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol');
  if (entries.length === 0) {
    out.text('{}', 'j-punct');
    return;
  }
  const inner = `\n${INDENT.repeat(depth + 1)}`;
  out.text('{', 'j-punct');
  entries.forEach(([key, value], index) => {
    if (out.truncated) return;
    out.text(index === 0 ? inner : `,${inner}`);
    out.text(quote(key), 'j-key');
    out.text(': ');
    writeValue(out, value, key, depth + 1, seen);
  });
  out.text(`\n${INDENT.repeat(depth)}`);
  out.text('}', 'j-punct');
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
  return { html: out.result(), truncated: out.truncated };
}
