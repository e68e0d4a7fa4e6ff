/**
 * Reads a request body's JSON Schema into a tree of form fields: what control each property gets and which
 * HTML validation attributes follow from its keywords. Pure and bounded: local `$ref`s are followed, nesting
 * deeper than `maxDepth` or shapes a control cannot express (unions, arrays of objects, free-form maps) become a
 * JSON text field, and the walk stops counting at `maxFields`.
 */
import type { JsonSchema } from '../../contracts/json-schema.js';

/** One step of a field's path in the body: an object key or an array index. */
export type FieldPathSegment = string | number;

/** How a field's text becomes a JSON value when the form is sent (encoded in the field's name). */
export type FieldCoding = 'string' | 'number' | 'boolean' | 'json' | 'datetime';

/** A control for one value. */
export interface ValueField {
  readonly kind: 'value';
  readonly path: readonly FieldPathSegment[];
  readonly label: string;
  readonly description: string | undefined;
  readonly required: boolean;
  readonly control: 'text' | 'number' | 'checkbox' | 'select' | 'date' | 'datetime' | 'time' | 'textarea' | 'json';
  /** `type` of an `<input>` control (text, email, url, number, date, datetime-local, time). */
  readonly inputType: string;
  readonly coding: FieldCoding;
  /** HTML validation attributes (name to value), already checked to be meaningful. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Options of a select: the JSON text of each value and its label. */
  readonly options: readonly { readonly value: string; readonly label: string }[];
  /** The schema's `default`, as the control's text, when it has one. */
  readonly defaultText: string | undefined;
}

/** A fieldset for a nested object. */
export interface ObjectField {
  readonly kind: 'object';
  readonly path: readonly FieldPathSegment[];
  readonly label: string;
  readonly description: string | undefined;
  readonly required: boolean;
  readonly fields: readonly FormField[];
}

/** Repeatable rows for an array of primitives: `item` describes one row (its path ends with index 0). */
export interface ArrayField {
  readonly kind: 'array';
  readonly path: readonly FieldPathSegment[];
  readonly label: string;
  readonly description: string | undefined;
  readonly required: boolean;
  readonly item: ValueField;
  readonly minItems: number;
  readonly maxItems: number | undefined;
}

export type FormField = ValueField | ObjectField | ArrayField;

/** Bounds on the walk. */
export interface FieldLimits {
  /** Nested objects deeper than this become JSON text fields (default 6). */
  readonly maxDepth?: number;
  /** Past this many fields the schema is reported as too large for a form (default 200). */
  readonly maxFields?: number;
}

/** The form for a body schema, or why there is none. */
export type FormPlan =
  | { readonly ok: true; readonly root: FormField }
  | { readonly ok: false; readonly reason: string };

const DEFAULT_MAX_DEPTH = 6;
const DEFAULT_MAX_FIELDS = 200;
/** Most `$ref` hops followed for one node (a chain longer than this is a cycle or abuse). */
const MAX_REF_HOPS = 16;
/** Most options a select shows; a longer enum gets a text field. */
const MAX_OPTIONS = 200;
const MAX_ATTRIBUTE_TEXT = 1000;

class TooManyFields extends Error {}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.slice(0, MAX_ATTRIBUTE_TEXT) : undefined;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Follows local `$ref`s (`#`, `#/$defs/X`, `#/definitions/X`) against `root`; others resolve to `{}`. */
function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hop = 0; hop < MAX_REF_HOPS; hop += 1) {
    const ref = current.$ref;
    if (typeof ref !== 'string') return current;
    if (!ref.startsWith('#')) return {};
    let target: unknown = root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      target = isObject(target) && Object.hasOwn(target, key) ? target[key] : undefined;
    }
    if (!isObject(target)) return {};
    // Sibling keywords of `$ref` (2020-12 allows them) describe the same value: keep title and description.
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return {};
}

/** The schema without a `null` alternative (`anyOf: [X, {type: 'null'}]`, `type: ['string', 'null']`). */
function withoutNull(schema: JsonSchema, root: JsonSchema): JsonSchema {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (!Array.isArray(options)) continue;
    const rest = options.filter((option) => !(isObject(option) && deref(option, root).type === 'null'));
    if (rest.length === 1 && rest.length < options.length && isObject(rest[0])) {
      const { [key]: _dropped, ...outer } = schema;
      return { ...deref(rest[0], root), ...outer };
    }
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((type) => type !== 'null');
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isObject(schema.allOf[0])) {
    const { allOf: _dropped, ...outer } = schema;
    return { ...deref(schema.allOf[0], root), ...outer };
  }
  return schema;
}

/** The values of an enum, from `enum`, `const` or a union of `const`s; undefined when it is not one. */
function enumValues(schema: JsonSchema, root: JsonSchema): readonly unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  const union = schema.anyOf ?? schema.oneOf;
  if (!Array.isArray(union) || union.length === 0) return undefined;
  const values: unknown[] = [];
  for (const option of union) {
    const resolved = isObject(option) ? deref(option, root) : undefined;
    if (resolved === undefined || !('const' in resolved)) return undefined;
    values.push(resolved.const);
  }
  return values;
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** The HTML `pattern` for a JSON Schema `pattern`, or undefined when the browser could not compile it. */
function htmlPattern(pattern: string): string | undefined {
  // JSON Schema patterns match anywhere; an HTML pattern must match the whole value, hence the padding.
  const padded = `[\\s\\S]*(?:${pattern})[\\s\\S]*`;
  try {
    // Browsers compile `pattern` with the `v` flag, which refuses some `u`-valid classes.
    new RegExp(padded, 'v');
    return padded;
  } catch {
    return undefined;
  }
}

function labelOf(schema: JsonSchema, path: readonly FieldPathSegment[]): string {
  const last = path.at(-1);
  return text(schema.title) ?? (last === undefined ? 'Body' : String(last));
}

function defaultText(schema: JsonSchema, coding: FieldCoding): string | undefined {
  if (!('default' in schema) || schema.default === undefined) return undefined;
  const value = schema.default;
  if (coding === 'json') return JSON.stringify(value);
  if (coding === 'boolean') return value === true ? 'true' : 'false';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

class Planner {
  #count = 0;
  readonly #root: JsonSchema;
  readonly #maxDepth: number;
  readonly #maxFields: number;

  constructor(root: JsonSchema, limits: FieldLimits) {
    this.#root = root;
    this.#maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#maxFields = limits.maxFields ?? DEFAULT_MAX_FIELDS;
  }

  #counted(): void {
    this.#count += 1;
    if (this.#count > this.#maxFields) throw new TooManyFields();
  }

  field(raw: JsonSchema, path: readonly FieldPathSegment[], required: boolean, depth: number): FormField {
    const schema = withoutNull(deref(raw, this.#root), this.#root);
    const label = labelOf(schema, path);
    const description = text(schema.description);
    if (schema.type === 'object' || (schema.type === undefined && isObject(schema.properties))) {
      if (depth < this.#maxDepth && isObject(schema.properties) && Object.keys(schema.properties).length > 0) {
        this.#counted();
        return this.#object(schema, path, required, depth, label, description);
      }
      return this.#json(schema, path, required, label, description);
    }
    if (schema.type === 'array' && isObject(schema.items)) {
      const itemSchema = withoutNull(deref(schema.items, this.#root), this.#root);
      const item = this.#value(itemSchema, [...path, 0], true, labelOf(itemSchema, path));
      if (item !== undefined && item.control !== 'json' && item.control !== 'checkbox') {
        this.#counted();
        const maxItems = finite(schema.maxItems);
        return {
          kind: 'array',
          path,
          label,
          description,
          required,
          item,
          minItems: Math.max(0, Math.min(finite(schema.minItems) ?? 0, 100)),
          maxItems: maxItems === undefined ? undefined : Math.max(0, maxItems),
        };
      }
    }
    return (
      this.#value(schema, path, required, label, description) ?? this.#json(schema, path, required, label, description)
    );
  }

  #object(
    schema: JsonSchema,
    path: readonly FieldPathSegment[],
    required: boolean,
    depth: number,
    label: string,
    description: string | undefined,
  ): ObjectField {
    const properties = schema.properties as JsonSchema;
    const requiredNames = new Set(Array.isArray(schema.required) ? schema.required : []);
    const fields: FormField[] = [];
    for (const name of Object.keys(properties)) {
      const property = properties[name];
      if (!isObject(property)) continue;
      fields.push(this.field(property, [...path, name], requiredNames.has(name), depth + 1));
    }
    return { kind: 'object', path, label, description, required, fields };
  }

  #json(
    schema: JsonSchema,
    path: readonly FieldPathSegment[],
    required: boolean,
    label: string,
    description: string | undefined,
  ): ValueField {
    this.#counted();
    return {
      kind: 'value',
      path,
      label,
      description: description ?? 'JSON',
      required,
      control: 'json',
      inputType: '',
      coding: 'json',
      attributes: {},
      options: [],
      defaultText: defaultText(schema, 'json'),
    };
  }

  /** A single control for a primitive schema, or undefined when the schema is not one. */
  #value(
    schema: JsonSchema,
    path: readonly FieldPathSegment[],
    required: boolean,
    label: string,
    description?: string | undefined,
  ): ValueField | undefined {
    const base = { kind: 'value', path, label, description, required } as const;
    const values = enumValues(schema, this.#root);
    if (values !== undefined) {
      if (values.length > MAX_OPTIONS || !values.every(isPrimitive)) return undefined;
      this.#counted();
      const options = values.map((value) => ({
        value: JSON.stringify(value),
        label: typeof value === 'string' ? value : JSON.stringify(value),
      }));
      const attributes: Record<string, string> = required ? { required: '' } : {};
      return {
        ...base,
        control: 'select',
        inputType: '',
        coding: 'json',
        attributes,
        options,
        defaultText: defaultText(schema, 'json'),
      };
    }
    const attributes: Record<string, string> = {};
    if (required) attributes.required = '';
    switch (schema.type) {
      case 'string':
        this.#counted();
        return this.#string(schema, base, attributes);
      case 'number':
      case 'integer': {
        this.#counted();
        const integer = schema.type === 'integer';
        const exclusiveMin = finite(schema.exclusiveMinimum);
        const exclusiveMax = finite(schema.exclusiveMaximum);
        const min = finite(schema.minimum) ?? (integer && exclusiveMin !== undefined ? exclusiveMin + 1 : undefined);
        const max = finite(schema.maximum) ?? (integer && exclusiveMax !== undefined ? exclusiveMax - 1 : undefined);
        if (min !== undefined) attributes.min = String(integer ? Math.ceil(min) : min);
        if (max !== undefined) attributes.max = String(integer ? Math.floor(max) : max);
        const multipleOf = finite(schema.multipleOf);
        attributes.step = multipleOf !== undefined && multipleOf > 0 ? String(multipleOf) : integer ? '1' : 'any';
        return {
          ...base,
          control: 'number',
          inputType: 'number',
          coding: 'number',
          attributes,
          options: [],
          defaultText: defaultText(schema, 'number'),
        };
      }
      case 'boolean':
        this.#counted();
        // A checkbox has no "required" in the JSON sense: unchecked sends false.
        return {
          ...base,
          control: 'checkbox',
          inputType: 'checkbox',
          coding: 'boolean',
          attributes: {},
          options: [],
          defaultText: defaultText(schema, 'boolean'),
        };
      default:
        return undefined;
    }
  }

  #string(
    schema: JsonSchema,
    base: Pick<ValueField, 'kind' | 'path' | 'label' | 'description' | 'required'>,
    attributes: Record<string, string>,
  ): ValueField {
    const format = typeof schema.format === 'string' ? schema.format : '';
    const defaults = { options: [], defaultText: defaultText(schema, 'string') } as const;
    if (format === 'date') {
      return { ...base, ...defaults, control: 'date', inputType: 'date', coding: 'string', attributes };
    }
    if (format === 'date-time') {
      // datetime-local has no zone: the page says UTC and the value is sent as `…Z`.
      attributes.step = '1';
      return { ...base, ...defaults, control: 'datetime', inputType: 'datetime-local', coding: 'datetime', attributes };
    }
    if (format === 'time') {
      attributes.step = '1';
      return { ...base, ...defaults, control: 'time', inputType: 'time', coding: 'string', attributes };
    }
    const minLength = finite(schema.minLength);
    const maxLength = finite(schema.maxLength);
    if (minLength !== undefined && minLength > 0) attributes.minlength = String(Math.floor(minLength));
    if (maxLength !== undefined && maxLength >= 0) attributes.maxlength = String(Math.floor(maxLength));
    const pattern = typeof schema.pattern === 'string' ? htmlPattern(schema.pattern) : undefined;
    if (pattern !== undefined && pattern.length <= MAX_ATTRIBUTE_TEXT) attributes.pattern = pattern;
    const inputType = format === 'email' ? 'email' : format === 'uri' || format === 'url' ? 'url' : 'text';
    // Long free text (a maxLength over 200, no pattern) reads better in a textarea, which has no `pattern`.
    const long = inputType === 'text' && pattern === undefined && maxLength !== undefined && maxLength > 200;
    return {
      ...base,
      ...defaults,
      control: long ? 'textarea' : 'text',
      inputType,
      coding: 'string',
      attributes,
    };
  }
}

/**
 * The fields of a form for a request body's JSON Schema. A body that is not an object with properties is one
 * field for the whole body (a JSON text field unless it is a primitive); a schema with more than `maxFields`
 * fields has no form (the raw content tab remains).
 *
 * @example
 * const plan = planForm({ type: 'object', properties: { title: { type: 'string', maxLength: 80 } }, required: ['title'] });
 * // plan.ok && plan.root.kind === 'object' && plan.root.fields[0].attributes  →  { required: '', maxlength: '80' }
 */
export function planForm(schema: JsonSchema, limits: FieldLimits = {}): FormPlan {
  try {
    return { ok: true, root: new Planner(schema, limits).field(schema, [], true, 0) };
  } catch (error) {
    if (error instanceof TooManyFields) {
      return { ok: false, reason: `The body schema has more than ${limits.maxFields ?? DEFAULT_MAX_FIELDS} fields.` };
    }
    throw error;
  }
}
