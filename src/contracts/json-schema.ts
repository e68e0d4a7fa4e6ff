/**
 * JSON Schema from a Standard Schema, through Standard JSON Schema (`schema['~standard'].jsonSchema`), which
 * zod 4 and arktype 2 implement. Valibot 1 does not by itself: wrap a valibot schema with
 * `toStandardJsonSchema()` from `@valibot/to-json-schema` (the wrapper also validates, so it can be used
 * everywhere a schema is expected). Without it, the answer is a `missing` marker naming the vendor so
 * document builders can say which parts are missing. Answers are cached per schema object.
 */
import type { StandardJSONSchemaV1, StandardTypedV1 } from '@standard-schema/spec';

/** JSON Schema as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** Which side of a transforming schema: what it accepts (`input`) or what it produces (`output`). */
export type SchemaSide = 'input' | 'output';

/** Why no JSON Schema could be produced, and for which vendor. */
export interface MissingJsonSchema {
  readonly vendor: string;
  readonly reason: string;
}

/** A JSON Schema (shared and cached: do not mutate it) or the reason there is none. */
export type JsonSchemaResult =
  | { readonly ok: true; readonly schema: JsonSchema }
  | { readonly ok: false; readonly missing: MissingJsonSchema };

/** Options of `toJsonSchema()`. */
export interface JsonSchemaOptions {
  /** `input` (default; request bodies, payloads to send) or `output` (responses). */
  readonly side?: SchemaSide;
  /** Default `draft-2020-12` (OpenAPI 3.1); AsyncAPI 3.0 payloads use `draft-07`. */
  readonly target?: StandardJSONSchemaV1.Target;
}

const cache = new WeakMap<object, Map<string, JsonSchemaResult>>();

function vendorOf(schema: unknown): string {
  const vendor = (schema as { '~standard'?: { vendor?: unknown } } | null)?.['~standard']?.vendor;
  return typeof vendor === 'string' && vendor !== '' ? vendor : 'unknown';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function convert(schema: StandardTypedV1, side: SchemaSide, target: string): JsonSchemaResult {
  const vendor = vendorOf(schema);
  const converter = (schema['~standard'] as Partial<StandardJSONSchemaV1.Props> | undefined)?.jsonSchema;
  if (typeof converter?.[side] !== 'function') {
    const hint = vendor === 'valibot' ? ' (wrap it with toStandardJsonSchema() from @valibot/to-json-schema)' : '';
    return { ok: false, missing: { vendor, reason: `${vendor} does not implement Standard JSON Schema${hint}` } };
  }
  try {
    const produced = converter[side]({ target });
    if (typeof produced !== 'object' || produced === null || Array.isArray(produced)) {
      return { ok: false, missing: { vendor, reason: `${vendor} returned no JSON Schema object` } };
    }
    return { ok: true, schema: produced };
  } catch (error) {
    // Vendors throw for types JSON Schema cannot express (zod: Date, bigint, ...).
    return { ok: false, missing: { vendor, reason: `${vendor} could not convert the schema: ${describe(error)}` } };
  }
}

/**
 * The JSON Schema of a Standard Schema, or a `missing` marker; never throws.
 * @example
 * const result = toJsonSchema(z.object({ title: z.string() }));
 * if (result.ok) result.schema; // { $schema: '...2020-12...', type: 'object', properties: { title: ... }, ... }
 * else result.missing.reason;    // e.g. 'valibot does not implement Standard JSON Schema (...)'
 */
export function toJsonSchema(schema: StandardTypedV1, options: JsonSchemaOptions = {}): JsonSchemaResult {
  const side = options.side ?? 'input';
  const target = options.target ?? 'draft-2020-12';
  const key = `${side} ${target}`;
  if (schema === null || (typeof schema !== 'object' && typeof schema !== 'function')) {
    return { ok: false, missing: { vendor: 'unknown', reason: 'not a schema object' } };
  }
  let entries = cache.get(schema);
  if (!entries) {
    entries = new Map();
    cache.set(schema, entries);
  }
  let result = entries.get(key);
  if (!result) {
    result = convert(schema, side, target);
    entries.set(key, result);
  }
  return result;
}

/**
 * A deep copy of `schema` ready to live at `base` inside a bigger document (OpenAPI, AsyncAPI): the
 * top-level `$schema` is dropped and every local `$ref` (`#`, `#/$defs/X`), which pointed into the schema
 * itself, is rewritten to point under `base`.
 * @example rebaseRefs({ items: { $ref: '#' } }, '#/components/schemas/Note'); // { items: { $ref: '#/components/schemas/Note' } }
 */
export function rebaseRefs(schema: JsonSchema, base: string): JsonSchema {
  const walk = (value: unknown, depth: number): unknown => {
    if (depth > 256) return {}; // vendor output is a tree; bound the walk anyway
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#')) out[key] = base + inner.slice(1);
      else out[key] = walk(inner, depth + 1);
    }
    return out;
  };
  const { $schema: _dropped, ...rest } = schema;
  return walk(rest, 0) as JsonSchema;
}
