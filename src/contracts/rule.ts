/**
 * A small, bounded parser of Werkzeug rules (`/notes/<int(min=1):id>/`) for document builders, and the JSON
 * Schema of each converter. Kept apart from the HTTP router on purpose: contracts must not import src/http.
 */
import { ERRORS, type MicroservicesError } from '../errors.js';
import type { JsonSchema } from './json-schema.js';

/** A path parameter: `<converter(args):name>`; `converter` is `default` when the rule names none. */
export interface RuleParameter {
  readonly kind: 'parameter';
  readonly name: string;
  readonly converter: string;
  readonly positional: readonly string[];
  readonly named: Readonly<Record<string, string>>;
}

/** Literal text between parameters. */
export interface RuleText {
  readonly kind: 'text';
  readonly text: string;
}

export type RulePart = RuleText | RuleParameter;

const MAX_RULE_LENGTH = 2048;
const MAX_PARAMETERS = 64;
const PARAMETER = /^(?:([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?:)?([A-Za-z_][A-Za-z0-9_]*)$/s;

function invalid(rule: string, why: string): MicroservicesError {
  return ERRORS.MS_CONTRACT_INVALID(`rule ${JSON.stringify(rule.slice(0, 100))}: ${why}`);
}

function unquote(text: string): string {
  return text.trim().replace(/^(['"])(.*)\1$/s, '$2');
}

/** Splits `1, min=2, 'a,b'` into positional and named arguments, honouring quotes. */
function parseArguments(source: string): { positional: string[]; named: Record<string, string> } {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  const parts: string[] = [];
  let current = '';
  let quote = '';
  for (const char of source) {
    if (quote) {
      if (char === quote) quote = '';
      current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    const named_ = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/s.exec(part);
    if (named_?.[1] !== undefined && named_[2] !== undefined) named[named_[1]] = unquote(named_[2]);
    else positional.push(unquote(part));
  }
  return { positional, named };
}

/**
 * The parts of a rule, in order.
 * @example parseRule('/notes/<int:id>/'); // [{ kind: 'text', text: '/notes/' }, { kind: 'parameter', name: 'id', converter: 'int', ... }, { kind: 'text', text: '/' }]
 */
export function parseRule(rule: string): RulePart[] {
  if (rule.length > MAX_RULE_LENGTH) throw invalid(rule, `longer than ${MAX_RULE_LENGTH} characters`);
  if (!rule.startsWith('/')) throw invalid(rule, 'must start with /');
  const parts: RulePart[] = [];
  const names = new Set<string>();
  let index = 0;
  while (index < rule.length) {
    const open = rule.indexOf('<', index);
    if (open === -1) {
      parts.push({ kind: 'text', text: rule.slice(index) });
      break;
    }
    if (open > index) parts.push({ kind: 'text', text: rule.slice(index, open) });
    const close = rule.indexOf('>', open);
    if (close === -1) throw invalid(rule, 'a "<" has no matching ">"');
    const match = PARAMETER.exec(rule.slice(open + 1, close).trim());
    if (!match?.[3]) throw invalid(rule, `"${rule.slice(open, close + 1)}" is not <converter(args):name>`);
    const name = match[3];
    if (names.has(name)) throw invalid(rule, `parameter "${name}" appears twice`);
    names.add(name);
    if (names.size > MAX_PARAMETERS) throw invalid(rule, `more than ${MAX_PARAMETERS} parameters`);
    const args = parseArguments(match[2] ?? '');
    parts.push({ kind: 'parameter', name, converter: match[1] ?? 'default', ...args });
    index = close + 1;
  }
  return parts;
}

/**
 * The OpenAPI path template of a rule: `/notes/<int:id>/` becomes `/notes/{id}/`.
 * @example toOpenApiPath(parseRule('/files/<path:name>')); // '/files/{name}'
 */
export function toOpenApiPath(parts: readonly RulePart[]): string {
  return parts.map((part) => (part.kind === 'text' ? part.text : `{${part.name}}`)).join('');
}

function numberArgument(parameter: RuleParameter, name: string): number | undefined {
  const raw = parameter.named[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

function flag(parameter: RuleParameter, name: string): boolean {
  const raw = parameter.named[name];
  return raw === 'True' || raw === 'true' || raw === '1';
}

/**
 * The JSON Schema of a path parameter, as its converter accepts it. Werkzeug numbers are unsigned unless
 * `signed=True`; `string` (the default) excludes `/`; `path` may contain `/` (OpenAPI cannot say so in the
 * schema, so it is said in the description); `any(a, b)` is an enum. An unknown converter is a plain string.
 * @example converterSchema(parseRule('/<int(min=1):id>')[1] as RuleParameter); // { type: 'integer', minimum: 1 }
 */
export function converterSchema(parameter: RuleParameter): JsonSchema {
  switch (parameter.converter) {
    case 'int':
    case 'float': {
      const schema: JsonSchema = { type: parameter.converter === 'int' ? 'integer' : 'number' };
      const min = numberArgument(parameter, 'min');
      const max = numberArgument(parameter, 'max');
      if (min !== undefined) schema.minimum = min;
      else if (!flag(parameter, 'signed')) schema.minimum = 0;
      if (max !== undefined) schema.maximum = max;
      return schema;
    }
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'path':
      return { type: 'string', description: 'May contain "/".' };
    case 'any':
      return { type: 'string', enum: [...parameter.positional] };
    default: {
      const schema: JsonSchema = { type: 'string', pattern: '^[^/]+$' };
      const length = numberArgument(parameter, 'length');
      const min = length ?? numberArgument(parameter, 'minlength');
      const max = length ?? numberArgument(parameter, 'maxlength');
      if (min !== undefined) schema.minLength = min;
      if (max !== undefined) schema.maxLength = max;
      return schema;
    }
  }
}
