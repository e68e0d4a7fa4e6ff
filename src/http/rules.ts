/**
 * Werkzeug-style rule strings (`/second/<string:test>/<int:two>/`) compiled once, at registration, into a
 * matcher and a URL builder.
 */
import { MicroservicesError } from '../errors.js';
import { type Converter, createConverter, parseConverterArgs } from './converters.js';

/** A rule segment: literal text or a named, converted parameter. */
type RulePart =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string; readonly converter: Converter };

/**
 * `urlFor` was asked for an endpoint it does not know, or without a parameter the rule needs.
 * @example try { app.urlFor('note'); } catch (error) { error instanceof BuildError; }
 */
export class BuildError extends MicroservicesError {
  /** @example throw new BuildError('missing parameter "id" for /x/<int:id>'); */
  constructor(message: string) {
    super('MS_HTTP_URL_BUILD', message, { status: 500 });
  }
}

const PARAM = /<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\(([^)]*)\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>/g;

function splitRule(rule: string): RulePart[] {
  const parts: RulePart[] = [];
  let last = 0;
  for (const match of rule.matchAll(PARAM)) {
    if (match.index > last) parts.push({ kind: 'static', text: rule.slice(last, match.index) });
    const [, converterName, args, name] = match;
    parts.push({
      kind: 'param',
      name: name ?? '',
      converter: createConverter(converterName ?? 'default', parseConverterArgs(args)),
    });
    last = match.index + match[0].length;
  }
  if (last < rule.length) parts.push({ kind: 'static', text: rule.slice(last) });
  return parts;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function decodeParam(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
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
  private readonly parts: readonly RulePart[];
  private readonly regex: RegExp | undefined;

  constructor(rule: string) {
    if (!rule.startsWith('/')) throw new TypeError(`A URL rule must start with "/": ${rule}`);
    this.rule = rule;
    this.parts = splitRule(rule);
    const params = this.parts.filter((part) => part.kind === 'param');
    this.paramNames = params.map((part) => part.name);
    this.isStatic = params.length === 0;
    this.staticPath = encodeURI(rule);
    const staticLength = this.parts.reduce((sum, part) => sum + (part.kind === 'static' ? part.text.length : 0), 0);
    this.weight = params.reduce((sum, part) => sum + part.converter.weight, 0) * 1000 - staticLength;
    this.regex = this.isStatic
      ? undefined
      : new RegExp(
          `^${this.parts
            .map((part) =>
              part.kind === 'static' ? escapeRegExp(encodeURI(part.text)) : `(${part.converter.pattern})`,
            )
            .join('')}$`,
        );
  }

  /** The converted parameters when `path` (raw, percent-encoded, no query) matches, else `undefined`. */
  match(path: string): Record<string, string | number> | undefined {
    if (this.regex === undefined) return path === this.staticPath ? {} : undefined;
    const found = this.regex.exec(path);
    if (!found) return undefined;
    const params: Record<string, string | number> = {};
    let group = 1;
    for (const part of this.parts) {
      if (part.kind === 'static') continue;
      const text = decodeParam(found[group++] ?? '');
      if (text === undefined) return undefined;
      const value = part.converter.toValue(text);
      if (value === undefined) return undefined;
      params[part.name] = value;
    }
    return params;
  }

  /** The path for these parameters; parameters the rule does not use become the query string. */
  build(params: Readonly<Record<string, unknown>>): string {
    let path = '';
    for (const part of this.parts) {
      if (part.kind === 'static') {
        path += encodeURI(part.text);
        continue;
      }
      const value = params[part.name];
      if (value === undefined || value === null) {
        throw new BuildError(`Could not build a URL for ${this.rule}: missing parameter "${part.name}"`);
      }
      path += part.converter.toUrl(value);
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
