/**
 * Werkzeug-style rule strings (`/second/<string:test>/<int:two>/`) compiled once, at registration, into a
 * linear matcher (rule-matcher.ts), a URL builder, and the path Fastify's router (find-my-way) registers.
 */
import { CODES, MicroservicesError } from '../errors.js';
import { createConverter, parseConverterArgs } from './converters.js';
import {
  matchPathSpan,
  matchSegment,
  type Params,
  type PathSpan,
  type SegmentTemplate,
  type Token,
} from './rule-matcher.js';

/**
 * `urlFor` was asked for an endpoint it does not know, or without a parameter the rule needs.
 * @example try { app.urlFor('note'); } catch (error) { error instanceof BuildError; }
 */
export class BuildError extends MicroservicesError {
  /** @example throw new BuildError('missing parameter "id" for /x/<int:id>'); */
  constructor(message: string) {
    super(CODES.MS_HTTP_URL_BUILD, message, { status: 500 });
  }
}

type ParamToken = Extract<Token, { kind: 'param' }>;

const PARAM = /<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\(([^)]*)\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>/g;

function staticToken(text: string): Token {
  return { kind: 'static', text, encoded: encodeURI(text) };
}

function splitRule(rule: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of rule.matchAll(PARAM)) {
    if (match.index > last) tokens.push(staticToken(rule.slice(last, match.index)));
    const [, converterName, args, name] = match;
    const converter = createConverter(converterName ?? 'default', parseConverterArgs(args));
    const minimum = /^\[\^\/\]\{(\d+),/.exec(converter.pattern);
    tokens.push({
      kind: 'param',
      name: name ?? '',
      converter,
      test: new RegExp(`^(?:${converter.pattern})$`),
      minLength: minimum ? Number(minimum[1]) : 1,
    });
    last = match.index + match[0].length;
  }
  if (last < rule.length) tokens.push(staticToken(rule.slice(last)));
  return tokens;
}

/** Cuts the tokens into path segments at every `/` of the static text. */
function toSegments(tokens: readonly Token[]): Token[][] {
  const segments: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'param') {
      segments[segments.length - 1]?.push(token);
      continue;
    }
    token.text.split('/').forEach((piece, index) => {
      if (index > 0) segments.push([]);
      if (piece !== '') segments[segments.length - 1]?.push(staticToken(piece));
    });
  }
  return segments;
}

const isPathParam = (token: Token): boolean => token.kind === 'param' && token.converter.span === 'path';

/** The `path` parameters' span of `segments[first..last]`; only static text may sit between them. */
function pathSpan(rule: string, segments: readonly Token[][], first: number, last: number): PathSpan {
  const tokens: Token[] = [];
  for (let index = first; index <= last; index++) {
    if (index > first) tokens.push(staticToken('/'));
    tokens.push(...(segments[index] ?? []));
  }
  const params: ParamToken[] = [];
  const texts: string[] = [''];
  for (const token of tokens) {
    if (token.kind === 'param') {
      if (token.converter.span !== 'path') {
        throw new TypeError(
          `Rule ${rule}: a parameter in the segment of a <path:...> parameter, or between two of them, is not supported`,
        );
      }
      params.push(token);
      texts.push('');
    } else {
      texts[texts.length - 1] += token.encoded;
    }
  }
  return { prefix: texts[0] ?? '', params, separators: texts.slice(1, -1), suffix: texts[texts.length - 1] ?? '' };
}

/** find-my-way's text for a static segment: `:` is written `::`; `*` cannot be said at all. */
function routeText(text: string): string | undefined {
  return text.includes('*') ? undefined : text.replaceAll(':', '::');
}

/**
 * The path Fastify registers for a rule: a segment with one parameter becomes `:name` (with the converter's
 * constraint), a trailing `<path:...>` becomes `*`. From the first segment find-my-way cannot express (several
 * parameters in one segment, text around a parameter, a `path` parameter before the end) the path ends in `*`
 * at that segment's leading text, so only that rule's prefix falls to the rule's own matcher.
 */
function toRoutePath(segments: readonly Token[][]): { path: string; exact: boolean } {
  const parts: string[] = [];
  for (let index = 1; index < segments.length; index++) {
    const segment = segments[index] ?? [];
    const only = segment.length === 1 ? segment[0] : undefined;
    if (segment.every((token) => token.kind === 'static')) {
      const text = routeText(segment.map((token) => (token.kind === 'static' ? token.text : '')).join(''));
      if (text !== undefined) {
        parts.push(text);
        continue;
      }
    } else if (only?.kind === 'param' && only.converter.span === 'segment') {
      const pattern = only.converter.routePattern;
      parts.push(pattern === undefined ? `:${only.name}` : `:${only.name}(^${pattern}$)`);
      continue;
    } else if (only?.kind === 'param' && index === segments.length - 1) {
      parts.push('*');
      return { path: `/${parts.join('/')}`, exact: true };
    }
    const lead = segment[0]?.kind === 'static' ? (routeText(segment[0].text) ?? '') : '';
    parts.push(`${lead}*`);
    return { path: `/${parts.join('/')}`, exact: false };
  }
  return { path: `/${parts.join('/')}`, exact: true };
}

/**
 * One rule, compiled: `match()` gives typed parameters or `undefined`; `build()` gives a path back.
 * @example
 * const rule = new CompiledRule('/x/<int:id>/');
 * rule.match('/x/7/'); // { id: 7 }
 * rule.build({ id: 7 }); // '/x/7/'
 */
export class CompiledRule {
  readonly rule: string;
  /** True when the rule has no parameters, so a plain string comparison matches it. */
  readonly isStatic: boolean;
  /** The path as it appears on the wire for a static rule (percent-encoded). */
  readonly staticPath: string;
  /** Sort key: lower is tried first, so more specific rules win as in Werkzeug. */
  readonly weight: number;
  readonly paramNames: readonly string[];
  /** The path registered with Fastify (find-my-way syntax). */
  readonly routePath: string;
  /** False when `routePath` is only the rule's prefix plus `*` (the rule's own matcher decides the rest). */
  readonly routeExact: boolean;
  /** The rule in OpenAPI path syntax (`/notes/{id}/`), for documentation plugins. */
  readonly openApiPath: string;
  readonly #tokens: readonly Token[];
  readonly #segments: readonly SegmentTemplate[];
  /** Segments before and after the `path` parameters' span, and the span (absent without `path` parameters). */
  readonly #head: readonly SegmentTemplate[];
  readonly #tail: readonly SegmentTemplate[];
  readonly #span: PathSpan | undefined;

  constructor(rule: string) {
    if (!rule.startsWith('/')) throw new TypeError(`A URL rule must start with "/": ${rule}`);
    this.rule = rule;
    this.#tokens = splitRule(rule);
    const params = this.#tokens.filter((token): token is ParamToken => token.kind === 'param');
    this.paramNames = params.map((token) => token.name);
    this.isStatic = params.length === 0;
    this.staticPath = encodeURI(rule);
    const staticLength = this.#tokens.reduce(
      (sum, token) => sum + (token.kind === 'static' ? token.text.length : 0),
      0,
    );
    this.weight = params.reduce((sum, token) => sum + token.converter.weight, 0) * 1000 - staticLength;
    const segments = toSegments(this.#tokens);
    this.#segments = segments;
    const first = segments.findIndex((segment) => segment.some(isPathParam));
    const last = segments.findLastIndex((segment) => segment.some(isPathParam));
    this.#head = first < 0 ? segments : segments.slice(0, first);
    this.#tail = first < 0 ? [] : segments.slice(last + 1);
    this.#span = first < 0 ? undefined : pathSpan(rule, segments, first, last);
    const route = toRoutePath(segments);
    this.routePath = route.path;
    this.routeExact = route.exact;
    this.openApiPath = rule.replace(PARAM, (_whole, _converter, _args, name: string) => `{${name}}`);
  }

  /** The converted parameters when `path` (raw, percent-encoded, no query) matches, else `undefined`. */
  match(path: string): Params | undefined {
    if (this.isStatic) return path === this.staticPath ? {} : undefined;
    const segments = path.split('/');
    const head = this.#head;
    const tail = this.#tail;
    const params: Params = {};
    if (this.#span === undefined) {
      if (segments.length !== head.length) return undefined;
    } else if (segments.length < head.length + tail.length + 1) return undefined;
    for (let index = 0; index < head.length; index++) {
      if (!matchSegment(head[index] as SegmentTemplate, segments[index] as string, params)) return undefined;
    }
    if (this.#span === undefined) return params;
    const tailStart = segments.length - tail.length;
    for (let index = 0; index < tail.length; index++) {
      if (!matchSegment(tail[index] as SegmentTemplate, segments[tailStart + index] as string, params)) {
        return undefined;
      }
    }
    const spanText = segments.slice(head.length, tailStart).join('/');
    return matchPathSpan(this.#span, spanText, params) ? params : undefined;
  }

  /**
   * Whether this rule and `other` could match one path (checked segment by segment; any `path` parameter
   * counts as a yes). Used once per pair at registration.
   */
  mayOverlap(other: CompiledRule): boolean {
    if (this.#span !== undefined || other.#span !== undefined) return true;
    if (this.#segments.length !== other.#segments.length) return false;
    return this.#segments.every((mine, index) => {
      const theirs = other.#segments[index] ?? [];
      const mineStatic = mine.every((token) => token.kind === 'static');
      const theirsStatic = theirs.every((token) => token.kind === 'static');
      const text = (segment: SegmentTemplate): string =>
        segment.map((token) => (token.kind === 'static' ? token.encoded : '')).join('');
      if (mineStatic && theirsStatic) return text(mine) === text(theirs);
      if (mineStatic) return matchSegment(theirs, text(mine), {});
      if (theirsStatic) return matchSegment(mine, text(theirs), {});
      return true;
    });
  }

  /** The path for these parameters; parameters the rule does not use become the query string. */
  build(params: Readonly<Record<string, unknown>>): string {
    let path = '';
    for (const token of this.#tokens) {
      if (token.kind === 'static') {
        path += token.encoded;
        continue;
      }
      const value = params[token.name];
      if (value === undefined || value === null) {
        throw new BuildError(`Could not build a URL for ${this.rule}: missing parameter "${token.name}"`);
      }
      path += token.converter.toUrl(value);
    }
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (this.paramNames.includes(key) || value === undefined || key === '_external') continue;
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
    }
    const search = query.toString();
    return search ? `${path}?${search}` : path;
  }
}
