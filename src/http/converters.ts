/**
 * Werkzeug's URL converters: each one knows the regular expression for its part of the path, how to turn the
 * matched text into a value (or refuse it, which makes the rule not match), and how to turn a value back into
 * URL text for `urlFor`.
 */

/** Converter arguments as written in the rule, e.g. `int(min=1, signed=True)`. */
export type ConverterArgs = {
  readonly positional: readonly string[];
  readonly named: Readonly<Record<string, string>>;
};

export interface Converter {
  /** A regular expression source without capture groups. */
  readonly pattern: string;
  /** Larger weight means tried later when several rules could match a path. */
  readonly weight: number;
  /** The value for the matched (already percent-decoded) text, or `undefined` when it does not fit. */
  toValue(text: string): string | number | undefined;
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

function stringConverter(args: ConverterArgs): Converter {
  const length = numberArg(args, 'length');
  const min = length ?? numberArg(args, 'minlength') ?? 1;
  const max = length ?? numberArg(args, 'maxlength');
  return {
    pattern: `[^/]{${min},${max ?? ''}}`,
    weight: 100,
    toValue: (text) => text,
    toUrl: (value) => encodeURIComponent(String(value)),
  };
}

function numberConverter(kind: 'int' | 'float', args: ConverterArgs): Converter {
  const signed = flag(args, 'signed');
  const min = numberArg(args, 'min');
  const max = numberArg(args, 'max');
  const digits = numberArg(args, 'fixed_digits');
  const body = kind === 'int' ? (digits ? `\\d{${digits}}` : '\\d+') : '\\d+\\.\\d+';
  return {
    pattern: `${signed ? '-?' : ''}${body}`,
    weight: 50,
    toValue: (text) => {
      const value = Number(text);
      if (!Number.isFinite(value)) return undefined;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) return undefined;
      return value;
    },
    toUrl: (value) => {
      const text = String(value);
      return digits && kind === 'int' ? text.padStart(digits, '0') : text;
    },
  };
}

const pathConverter: Converter = {
  pattern: '[^/].*?',
  weight: 200,
  toValue: (text) => text,
  toUrl: (value) => String(value).split('/').map(encodeURIComponent).join('/'),
};

const uuidConverter: Converter = {
  pattern: '[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}',
  weight: 50,
  toValue: (text) => text.toLowerCase(),
  toUrl: (value) => String(value),
};

function anyConverter(args: ConverterArgs): Converter {
  const choices = args.positional;
  return {
    pattern: choices.map(escapeRegExp).join('|'),
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
      return numberConverter('int', args);
    case 'float':
      return numberConverter('float', args);
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
