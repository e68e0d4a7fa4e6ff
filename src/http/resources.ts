/**
 * Resource markers and the resource records they produce: a marker on a route says "this rule is a resource"
 * (envelope, `update`, listing); every route on the same rule string shares one record.
 */
import { ResourceSchema, type ResourceSchemaOptions } from './schema.js';

/**
 * What a URL callable receives besides the record: `urlFor` bound to the current request.
 * @example new ResourceMarker({ url: (_record, context) => context.urlFor('second', {}, { external: true }) });
 */
export interface UrlContext {
  urlFor(endpoint: string, params?: Readonly<Record<string, unknown>>, options?: { external?: boolean }): string;
}

/**
 * How a resource's URL is shown in other resources' listings.
 * @example const url: ResourceUrl = 'http://example.com/notes/';
 */
export type ResourceUrl = boolean | string | null | ((record: ResourceRecord, context: UrlContext) => unknown);

/**
 * Marker options (camelCase forms of the seed's keyword arguments).
 * @example app.get('/x/', { resource: { urlParams: {}, update: { v: 1 } } }, () => ({}));
 */
export interface ResourceMarkerOptions {
  /** Envelope key names; fields not given come from the app-wide `schema` option. */
  readonly schema?: ResourceSchema | ResourceSchemaOptions;
  /** `true` (default): an absolute `urlFor` URL; a string as-is; a function's result; `false`/`null`: none. */
  readonly url?: ResourceUrl;
  /** Parameters for `urlFor` when `url` is `true`; `_external: false` gives a relative path. */
  readonly urlParams?: Readonly<Record<string, unknown>>;
  /** Merged into every object-shaped response of the resource (view keys win). */
  readonly update?: unknown;
  /** The record fields shown when this resource is listed elsewhere (default `['methods', 'url']`). */
  readonly inResources?: readonly string[];
  /** Shown under the schema's `info` key when the schema names one. */
  readonly info?: unknown;
}

/**
 * Marks a route as a resource.
 * @example app.get('/notes/', { resource: new ResourceMarker({ update: { version: 1 } }) }, () => []);
 */
export class ResourceMarker {
  readonly options: ResourceMarkerOptions;

  constructor(options: ResourceMarkerOptions = {}) {
    this.options = { url: true, ...options };
  }
}

/**
 * The shared record of one rule string (`app.resources.get(rule)`).
 * @example app.resources.get('/second/')?.methods; // ['GET', 'HEAD', 'POST', 'OPTIONS']
 */
export interface ResourceRecord {
  readonly rule: string;
  readonly endpoints: string[];
  /** Every method of every route on the rule, including HEAD and OPTIONS. */
  methods: string[];
  schema: ResourceSchema;
  /** Absent when the marker gave none (a plain-object marker): then listings omit `url`. */
  url?: ResourceUrl;
  urlParams: Readonly<Record<string, unknown>>;
  update: unknown;
  inResources: readonly string[];
  info: unknown;
  /** The merged marker options, deep-merged when several markers land on one rule. */
  markerOptions: ResourceMarkerOptions;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** The seed's `dict_update`: nested plain objects merge, everything else overwrites; returns a new object. */
export function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined || key === '__proto__') continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Settings the app applies to every marker. */
export interface ResourceDefaults {
  readonly schema: ResourceSchema | undefined;
  readonly inResources: readonly string[];
}

function toSchema(value: ResourceMarkerOptions['schema']): ResourceSchema | undefined {
  if (value === undefined) return undefined;
  return value instanceof ResourceSchema ? value : new ResourceSchema(value);
}

/**
 * Creates or updates the record for `rule` after a marked route is registered there.
 * @example applyMarker(undefined, '/x/', 'x', new ResourceMarker().options, defaults);
 */
export function applyMarker(
  existing: ResourceRecord | undefined,
  rule: string,
  marker: ResourceMarkerOptions,
  defaults: ResourceDefaults,
): ResourceRecord {
  // Schemas are class instances: keep the newest one whole instead of merging its fields.
  const { schema: _schema, ...plain } = marker;
  const merged = existing
    ? ({
        ...deepMerge({ ...existing.markerOptions }, { ...plain }),
        schema: marker.schema ?? existing.markerOptions.schema,
      } as ResourceMarkerOptions)
    : marker;
  const record: ResourceRecord = existing ?? {
    rule,
    endpoints: [],
    methods: [],
    schema: new ResourceSchema(),
    urlParams: {},
    update: undefined,
    inResources: [],
    info: undefined,
    markerOptions: merged,
  };
  record.markerOptions = merged;
  record.schema = ResourceSchema.merge(defaults.schema, toSchema(merged.schema));
  if ('url' in merged) record.url = merged.url;
  record.urlParams = merged.urlParams ?? {};
  record.update = merged.update;
  record.inResources = merged.inResources ?? defaults.inResources;
  record.info = merged.info;
  return record;
}
