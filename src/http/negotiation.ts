/**
 * Content negotiation between the two representations the service has: JSON (first, so it wins ties and
 * serves `*\/*` and a missing Accept) and the browsable HTML page. q-values follow RFC 9110 §12.5.1: the most
 * specific matching range gives a representation its q, q=0 excludes it, the highest q wins.
 */

export type Representation = 'json' | 'html';

export interface Negotiated {
  readonly representation: Representation;
  /** `Accept: application/json; indent=4` asks for indented JSON (clamped to 0..8). */
  readonly indent: number | undefined;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly params: Readonly<Record<string, string>>;
}

const JSON_DEFAULT: Negotiated = { representation: 'json', indent: undefined };
const HTML_DEFAULT: Negotiated = { representation: 'html', indent: undefined };

function parseRange(text: string): MediaRange | undefined {
  const [full = '', ...rawParams] = text.split(';');
  const [type, subtype] = full.trim().toLowerCase().split('/');
  if (!type || !subtype) return undefined;
  const params: Record<string, string> = {};
  let q = 1;
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const key = raw.slice(0, eq).trim().toLowerCase();
    const value = raw
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (key === 'q') {
      const parsed = Number(value);
      q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 1;
    } else params[key] = value;
  }
  return { type, subtype, q, params };
}

/** How specifically `range` names `type/subtype` (3 exact, 2 `type/*`, 1 `*\/*`), or 0 when it does not match. */
function specificity(range: MediaRange, type: string, subtype: string): number {
  if (range.type === '*' && range.subtype === '*') return 1;
  if (range.type !== type) return 0;
  if (range.subtype === '*') return 2;
  return range.subtype === subtype ? 3 : 0;
}

function bestRange(ranges: readonly MediaRange[], type: string, subtype: string): MediaRange | undefined {
  let best: MediaRange | undefined;
  let bestScore = 0;
  for (const range of ranges) {
    const score = specificity(range, type, subtype);
    if (score > bestScore) {
      best = range;
      bestScore = score;
    }
  }
  return best;
}

function jsonAcceptable(range: MediaRange): boolean {
  const charset = range.params.charset?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function clampIndent(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 8) : undefined;
}

function negotiateAccept(accept: string): Negotiated | undefined {
  const ranges = accept
    .split(',')
    .map(parseRange)
    .filter((range): range is MediaRange => range !== undefined);
  if (ranges.length === 0) return JSON_DEFAULT;
  const json = bestRange(ranges, 'application', 'json');
  const html = bestRange(ranges, 'text', 'html');
  const jsonQ = json && jsonAcceptable(json) ? json.q : 0;
  const htmlQ = html ? html.q : 0;
  if (jsonQ === 0 && htmlQ === 0) return undefined;
  if (jsonQ >= htmlQ) {
    const indent = clampIndent(json?.params.indent);
    return indent === undefined ? JSON_DEFAULT : { representation: 'json', indent };
  }
  return HTML_DEFAULT;
}

const cache = new Map<string, Negotiated | undefined>();
const CACHE_LIMIT = 256;

/**
 * Picks the representation for a request, or `undefined` when nothing satisfies it (a 406).
 * `format` (the `?format=` query value) overrides the header; an unknown format is unsatisfiable.
 * @example
 * negotiate('text/html,application/xhtml+xml,*\/*;q=0.8'); // { representation: 'html', indent: undefined }
 * negotiate('application/json; indent=4'); // { representation: 'json', indent: 4 }
 */
export function negotiate(accept: string | undefined, format?: string): Negotiated | undefined {
  if (format !== undefined) {
    if (format === 'json') return JSON_DEFAULT;
    if (format === 'html') return HTML_DEFAULT;
    return undefined;
  }
  if (accept === undefined || accept === '*/*') return JSON_DEFAULT;
  const known = cache.get(accept);
  if (known !== undefined || cache.has(accept)) return known;
  const result = accept.trim() === '' ? JSON_DEFAULT : negotiateAccept(accept);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(accept, result);
  return result;
}
