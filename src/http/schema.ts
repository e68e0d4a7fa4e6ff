/**
 * Resource schemas: the names of the envelope's keys (`null` leaves a part out). `ResourceSchema` is used for
 * JSON and, unless a `browser` schema is given, for the browsable page too: the page shows the body a program
 * gets and puts the status, headers, methods and related resources in blocks of its own. Giving `browser` (a
 * `BrowserResourceSchema`, or options for one) brings back the seed's page envelope; as in the seed, every name
 * the JSON schema sets is copied into it, so a renamed `response` is renamed on both.
 */

/**
 * The key names an envelope may carry.
 * @example const names: SchemaNames = { response: 'result', statusCode: 'status' };
 */
export interface SchemaNames {
  /** Key for non-object data (and for all data when `responseUpdate` is false). */
  readonly response?: string | null;
  /** Key for the status line, e.g. `"200 OK"`. */
  readonly status?: string | null;
  /** Key for the parsed request body (shown only when non-empty). */
  readonly request?: string | null;
  /** Key for the integer status code. */
  readonly statusCode?: string | null;
  /** Key for the response headers. */
  readonly headers?: string | null;
  /** Key for the listing of the other resources. */
  readonly resources?: string | null;
  /** Key for the rule string, e.g. `"/x/<int:id>/"`. */
  readonly resource?: string | null;
  /** Key for the resource's methods. */
  readonly methods?: string | null;
  /** Key for the marker's `info` value. */
  readonly info?: string | null;
}

/**
 * Everything a schema can be built from.
 * @example new BrowserResourceSchema({ headers: null, ignoreForMethods: ['POST'] });
 */
export interface SchemaOptions extends SchemaNames {
  /** Merge object data into the envelope (true) or wrap it under `response` (false). */
  readonly responseUpdate?: boolean;
  /** Methods whose data is sent raw: no envelope, no `update`. */
  readonly ignoreForMethods?: readonly string[];
}

/**
 * Options of a `ResourceSchema`, which can also carry its browser schema.
 * @example new ResourceSchema({ response: 'result', browser: { headers: null } });
 */
export interface ResourceSchemaOptions extends SchemaOptions {
  readonly browser?: BaseResourceSchema | SchemaOptions;
}

type Resolved = { -readonly [K in keyof SchemaNames]-?: string | null } & {
  responseUpdate: boolean;
  ignoreForMethods: readonly string[];
};

const NAME_KEYS = [
  'response',
  'status',
  'request',
  'statusCode',
  'headers',
  'resources',
  'resource',
  'methods',
  'info',
] as const satisfies readonly (keyof SchemaNames)[];

const BASE_DEFAULTS: Resolved = {
  response: null,
  status: null,
  request: null,
  statusCode: null,
  headers: null,
  resources: null,
  resource: null,
  methods: null,
  info: null,
  responseUpdate: true,
  ignoreForMethods: [],
};

function resolve(defaults: Resolved, options: SchemaOptions): Resolved {
  const resolved: Resolved = { ...defaults, ignoreForMethods: [...defaults.ignoreForMethods] };
  for (const key of NAME_KEYS) {
    const value = options[key];
    if (value !== undefined) resolved[key] = value;
  }
  if (options.responseUpdate !== undefined) resolved.responseUpdate = options.responseUpdate;
  if (options.ignoreForMethods !== undefined) {
    resolved.ignoreForMethods = options.ignoreForMethods.map((method) => method.toUpperCase());
  }
  return resolved;
}

/**
 * A schema whose names all default to `null` (nothing but the data).
 * @example new BaseResourceSchema({ response: 'data' });
 */
export class BaseResourceSchema implements Readonly<Resolved> {
  protected static readonly defaults: Resolved = BASE_DEFAULTS;
  /** The options exactly as given (what app-wide and per-marker schemas merge on). */
  readonly options: SchemaOptions;
  declare readonly response: string | null;
  declare readonly status: string | null;
  declare readonly request: string | null;
  declare readonly statusCode: string | null;
  declare readonly headers: string | null;
  declare readonly resources: string | null;
  declare readonly resource: string | null;
  declare readonly methods: string | null;
  declare readonly info: string | null;
  declare readonly responseUpdate: boolean;
  declare readonly ignoreForMethods: readonly string[];

  constructor(options: SchemaOptions = {}) {
    this.options = { ...options };
    Object.assign(this, resolve((new.target as typeof BaseResourceSchema).defaults, options));
  }

  /** The resolved names, as JSON (for `inResources: ['schema']`). */
  toJSON(): Resolved {
    const out = { ...BASE_DEFAULTS };
    for (const key of NAME_KEYS) out[key] = this[key];
    out.responseUpdate = this.responseUpdate;
    out.ignoreForMethods = this.ignoreForMethods;
    return out;
  }
}

/**
 * The seed's envelope for the browsable page: status, request, status code, headers, rule and methods in the
 * body. Opt-in: pass it as a resource schema's `browser` (the page otherwise shows the program's JSON body).
 * @example new ResourceSchema({ browser: new BrowserResourceSchema({ headers: null }) });
 * @example new Microservice('notes', { schema: { browser: new BrowserResourceSchema() } }); // every resource
 */
export class BrowserResourceSchema extends BaseResourceSchema {
  protected static override readonly defaults: Resolved = {
    ...BASE_DEFAULTS,
    response: 'response',
    status: 'status',
    request: 'request',
    statusCode: 'status_code',
    headers: 'headers',
    resource: 'resource',
    methods: 'methods',
  };
}

/**
 * The JSON schema of a resource (only `response` named by default) plus its `browser` schema (itself unless
 * one is given).
 * @example new ResourceSchema({ response: 'result', responseUpdate: false, statusCode: 'status' });
 */
export class ResourceSchema extends BaseResourceSchema {
  protected static override readonly defaults: Resolved = { ...BASE_DEFAULTS, response: 'response' };
  /** The schema used when the browsable page is rendered: this schema itself unless `browser` was given. */
  readonly browser: BaseResourceSchema;
  override readonly options: ResourceSchemaOptions;

  constructor(options: ResourceSchemaOptions = {}) {
    super(options);
    this.options = { ...options };
    const given = options.browser;
    if (given === undefined) {
      this.browser = this;
      return;
    }
    const propagated: Record<string, unknown> = { responseUpdate: this.responseUpdate };
    for (const key of NAME_KEYS) if (this[key] !== null && key !== 'info') propagated[key] = this[key];
    if (given instanceof BaseResourceSchema) {
      const Kind = given.constructor as new (options: SchemaOptions) => BaseResourceSchema;
      this.browser = new Kind({ ...given.options, ...propagated });
    } else {
      this.browser = new BrowserResourceSchema({ ...given, ...propagated });
    }
  }

  /**
   * The effective schema of a marker: the app-wide schema's fields, then the marker's explicitly given ones.
   * @example ResourceSchema.merge(new ResourceSchema({ statusCode: 'code' }), undefined).statusCode; // 'code'
   */
  static merge(appWide: ResourceSchema | undefined, marker: ResourceSchema | undefined): ResourceSchema {
    if (!appWide) return marker ?? new ResourceSchema();
    if (!marker) return appWide;
    const browser = marker.options.browser ?? appWide.options.browser;
    return new ResourceSchema({
      ...appWide.options,
      ...marker.options,
      ...(browser === undefined ? {} : { browser }),
    });
  }
}
