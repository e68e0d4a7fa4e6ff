/**
 * Werkzeug's URL converters: each one knows the regular expression for its part of the path, how to turn the
 * matched text into a value (or refuse it, which makes the rule not match), and how to turn a value back into
 * URL text for `urlFor`. Every pattern here is free of nested quantifiers, so testing one piece of a path is
 * linear in its length.
 */

/** Converter arguments as written in the rule, e.g. `int(min=1, signed=True)`. */
export type ConverterArgs = {
  readonly positional: readonly string[];
  readonly named: Readonly<Record<string, string>>;
};

/** What a converter turns URL text into. */
export type ParamValue = string | number | bigint;

export interface Converter {
  /** A regular expression source without capture groups, tested against the raw (percent-encoded) text. */
  readonly pattern: string;
  /** `segment`: one path segment, no `/`; `path`: the rest of the path, `/` included. */
  readonly span: 'segment' | 'path';
  /**
   * The constraint given to Fastify's router (find-my-way tests it against the decoded segment), or
   * `undefined` for a plain parameter.
   */
  readonly routePattern: string | undefined;
  /** Larger weight means tried later when several rules could match a path. */
  readonly weight: number;
  /** The value for the matched (already percent-decoded) text, or `undefined` when it does not fit. */
  toValue(text: string): ParamValue | undefined;
  /** The URL text for a value. */
  toUrl(value: unknown): string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function flag(args: ConverterArgs, name: string): boolean {
  const value = args.named[name];
  return value === 'True' || value === 'true' || value === '1';
}

function numberArg(args: ConverterArgs, name: string): number | undefined {
  const value = args.named[name];
  return value === undefined ? undefined : Number(value);
}

/**
 * Whether decoded segment text is safe to hand out as one segment: an encoded `/` (`%2F`), a NUL, or a whole
 * `.` / `..` would let a handler that joins it into a file path walk out of its directory.
 */
function isOneSegment(text: string): boolean {
  return !text.includes('/') && !text.includes('\0') && text !== '..' && text !== '.';
}

function stringConverter(args: ConverterArgs): Converter {
  const length = numberArg(args, 'length');
  const min = length ?? numberArg(args, 'minlength') ?? 1;
  const max = length ?? numberArg(args, 'maxlength');
  const pattern = `[^/]{${min},${max ?? ''}}`;
  return {
    pattern,
    span: 'segment',
    routePattern: min === 1 && max === undefined ? undefined : pattern,
    weight: 100,
    toValue: (text) => (isOneSegment(text) ? text : undefined),
    toUrl: (value) => encodeURIComponent(String(value)),
  };
}

function numberConverter(kind: 'int' | 'float' | 'bigint', args: ConverterArgs): Converter {
  const signed = flag(args, 'signed');
  const min = numberArg(args, 'min');
  const max = numberArg(args, 'max');
  const digits = numberArg(args, 'fixed_digits');
  const body = kind === 'float' ? '\\d+\\.\\d+' : digits ? `\\d{${digits}}` : '\\d+';
  const pattern = `${signed ? '-?' : ''}${body}`;
  const inRange = (value: number | bigint): boolean =>
    (min === undefined || value >= min) && (max === undefined || value <= max);
  return {
    pattern,
    span: 'segment',
    routePattern: pattern,
    weight: 50,
    toValue: (text) => {
      if (kind === 'bigint') {
        const value = BigInt(text);
        return inRange(value) ? value : undefined;
      }
      const value = Number(text);
      if (!Number.isFinite(value) || !inRange(value)) return undefined;
      // Past 2^53 two different ids would become the same number: refuse them (the `bigint` converter takes them).
      if (kind === 'int' && !Number.isSafeInteger(value)) return undefined;
      return value;
    },
    toUrl: (value) => {
      const text = String(value);
      return digits && kind !== 'float' ? text.padStart(digits, '0') : text;
    },
  };
}

const pathConverter: Converter = {
  pattern: '[^/].*',
  span: 'path',
  routePattern: undefined,
  weight: 200,
  // Segments may be joined into a file path by the handler: no NUL and no `..` segment.
  toValue: (text) => (text.includes('\0') || text.split('/').includes('..') ? undefined : text),
  toUrl: (value) => String(value).split('/').map(encodeURIComponent).join('/'),
};

const uuidPattern = '[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}';
const uuidConverter: Converter = {
  pattern: uuidPattern,
  span: 'segment',
  routePattern: uuidPattern,
  weight: 50,
  toValue: (text) => text.toLowerCase(),
  toUrl: (value) => String(value),
};

function anyConverter(args: ConverterArgs): Converter {
  const choices = args.positional;
  const pattern = `(?:${choices.map(escapeRegExp).join('|')})`;
  return {
    pattern,
    span: 'segment',
    routePattern: pattern,
    weight: 50,
    toValue: (text) => (choices.includes(text) ? text : undefined),
    toUrl: (value) => encodeURIComponent(String(value)),
  };
}

/** Splits `min=1, signed=True, 'a'` into positional and named arguments (Python literal syntax, loosely). */
export function parseConverterArgs(source: string | undefined): ConverterArgs {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  if (!source) return { positional, named };
  for (const raw of source.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    const unquote = (text: string): string => text.trim().replace(/^(['"])(.*)\1$/, '$2');
    if (eq > 0) named[part.slice(0, eq).trim()] = unquote(part.slice(eq + 1));
    else positional.push(unquote(part));
  }
  return { positional, named };
}

/**
 * The converter for a name used in a rule (`string` when the rule gives none).
 * @example createConverter('int', parseConverterArgs('min=1')).toValue('0'); // undefined: below min
 */
export function createConverter(name: string, args: ConverterArgs): Converter {
  switch (name) {
    case 'default':
    case 'string':
      return stringConverter(args);
    case 'int':
    case 'float':
    case 'bigint':
      return numberConverter(name, args);
    case 'path':
      return pathConverter;
    case 'uuid':
      return uuidConverter;
    case 'any':
      return anyConverter(args);
    default:
      throw new TypeError(`Unknown URL converter "${name}"`);
  }
}
