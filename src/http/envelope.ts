/**
 * The response envelope of a marked resource (seed §2.6, with the §8 decisions): keys are written in the
 * seed's order and later ones win, so the view's own object keys override every envelope key. The browsable
 * page gets one pass with the browser schema (no double wrapping).
 */
import type { BaseResourceSchema } from './schema.js';

/** Everything the envelope may show besides the data. */
export interface EnvelopeContext {
  readonly method: string;
  /** The parsed request body (`req.data`). */
  readonly requestData: unknown;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly rule: string;
  readonly methods: readonly string[];
  readonly update: unknown;
  readonly info: unknown;
  /** Computed only when the schema asks for a listing. */
  readonly listing: () => Record<string, unknown> | undefined;
}

/** A plain object (the seed's "dict"): arrays, class instances and null are not. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Python truthiness, which decides whether `request` is shown: empty objects, arrays and strings are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function assign(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    Object.defineProperty(target, key, { value: source[key], enumerable: true, writable: true, configurable: true });
  }
}

/**
 * Wraps `data` per `schema`; returns `data` untouched when the method is in `ignoreForMethods`.
 * @example envelope([1, 2], new ResourceSchema(), context); // { response: [1, 2] }
 */
export function envelope(data: unknown, schema: BaseResourceSchema, context: EnvelopeContext): unknown {
  if (schema.ignoreForMethods.includes(context.method)) return data;
  const isDict = isPlainObject(data);
  const out: Record<string, unknown> = {};
  if ((!schema.responseUpdate || !isDict) && schema.response !== null) out[schema.response] = data;
  if (context.info !== undefined && context.info !== null && schema.info) out[schema.info] = context.info;
  if (schema.request && truthy(context.requestData)) out[schema.request] = context.requestData;
  if (schema.status) out[schema.status] = `${context.status} ${context.statusText}`;
  if (schema.statusCode) out[schema.statusCode] = context.status;
  if (schema.headers) out[schema.headers] = { ...context.headers };
  if (schema.resource) out[schema.resource] = context.rule;
  if (schema.methods) out[schema.methods] = context.methods;
  if (schema.resources) {
    const listing = context.listing();
    if (listing !== undefined) out[schema.resources] = listing;
  }
  if (isPlainObject(context.update)) assign(out, context.update);
  if (schema.responseUpdate && isDict) assign(out, data);
  return out;
}
