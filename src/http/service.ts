/**
 * `Microservice`: the HTTP service. Routes use Werkzeug-style rules and may be marked as resources; Fastify 5
 * runs underneath, each rule a real Fastify route (fastify-routes.ts), and stays reachable as `app.fastify`
 * for plugins.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifySchema,
  type InjectOptions,
  type LightMyRequestResponse,
} from 'fastify';
import type { RouteTableEntry, WithRoutes } from '../contracts/index.js';
import type { CloseHook, StopContext } from '../lifecycle/part.js';
import { contextLogger, getLogger, type Logger } from '../logging.js';
import type { HealthRegistry } from '../ops/health.js';
import { type ConnectionLimits, limitConnections } from './connections.js';
import type { DispatchService } from './dispatch.js';
import { refuseRequest, renderFastifyError } from './fastify-errors.js';
import { type FastifyRouteOptions, FastifyRoutes } from './fastify-routes.js';
import { type HostOptions, installHostPolicy } from './hosts.js';
import { DEFAULT_MAX_JSON_DEPTH, type ProtoPoisoning } from './json.js';
import { installObservability, type ObservabilityOptions } from './observability.js';
import { OPENAPI_ENDPOINT, type OpenApiOptions, serveOpenApi } from './openapi-route.js';
import { HttpOps, type HttpOpsOptions } from './ops.js';
import type { FormLimits } from './parsing.js';
import type { UrlForOptions } from './request.js';
import { applyMarker, ResourceMarker, type ResourceMarkerOptions, type ResourceRecord } from './resources.js';
import type { HttpRouteSchema, NoSchema, RouteRequest, RouteResult } from './route-types.js';
import { ROUTER, type RouteEntry, Router } from './router.js';
import type { RuleParams } from './rule-params.js';
import { BuildError } from './rules.js';
import { ResourceSchema, type ResourceSchemaOptions } from './schema.js';
import { durationOption } from './service-options.js';
import { RouteContract } from './validation.js';

/**
 * Service options. Timeouts are in milliseconds.
 * @example new Microservice('notes', { bodyLimit: 64 * 1024, schema: { statusCode: 'status' } });
 */
export interface MicroserviceOptions extends HostOptions, ConnectionLimits, HttpOpsOptions, ObservabilityOptions {
  /** Debug mode: a 500 for a handler that returned nothing names the route. Stacks need `exposeErrors`. */
  readonly debug?: boolean;
  /** Put stack traces and thrown messages of 500s into responses (development only). Default false. */
  readonly exposeErrors?: boolean;
  /** Largest accepted request body in bytes (default 1 MiB); larger gives 413 before the body is read. */
  readonly bodyLimit?: number;
  /** Deepest accepted JSON nesting in request bodies (default 64). */
  readonly maxJsonDepth?: number;
  /** `__proto__` / `constructor.prototype` keys in JSON bodies: `'error'` (400, default) or `'remove'`. */
  readonly protoPoisoning?: ProtoPoisoning;
  /** Bounds on form bodies (fields, files, parts, field size); past them the request is 413. */
  readonly formLimits?: FormLimits;
  /** The app-wide schema (the seed's `config['SCHEMA']`): the default under every marker's own fields. */
  readonly schema?: ResourceSchema | ResourceSchemaOptions;
  /** Default `inResources` of markers (the seed's `IN_RESOURCES`, `['methods', 'url']`). */
  readonly inResources?: readonly string[];
  /** Time allowed for receiving a whole request, in ms (default 120 000). */
  readonly requestTimeoutMs?: number;
  /** Time allowed for receiving the request headers, in ms (default 60 000). */
  readonly headersTimeoutMs?: number;
  /** Idle keep-alive time in ms (default 72 000, longer than typical load-balancer idle timeouts). */
  readonly keepAliveTimeoutMs?: number;
  /** How long `close()` waits for in-flight requests before cutting connections, in ms (default 10 000). */
  readonly drainTimeoutMs?: number;
  /** @deprecated Use `requestTimeoutMs` (same value, in ms). */
  readonly requestTimeout?: number;
  /** @deprecated Use `headersTimeoutMs` (same value, in ms). */
  readonly headersTimeout?: number;
  /** @deprecated Use `keepAliveTimeoutMs` (same value, in ms). */
  readonly keepAliveTimeout?: number;
  /** @deprecated Use `drainTimeoutMs` (same value, in ms). */
  readonly drainTimeout?: number;
  /**
   * Trust `X-Forwarded-*` from these proxies (Fastify's `trustProxy`), so external URLs and the same-origin
   * check use the client-facing scheme and host. Off by default.
   */
  readonly trustProxy?: boolean | string | readonly string[];
  /** Any pino-compatible logger (pino, Fastify's); it gets a `service` field. Default `getLogger('microservices.http.service')`. */
  readonly logger?: Logger;
  /**
   * Check handler results against the routes' `response` schemas (default false): a mismatch is logged and
   * answered with a 500, and a matching result is sent as the schema's output.
   */
  readonly validateResponses?: boolean;
  /** Serve the OpenAPI 3.1 document of the routes at `/openapi.json` (off by default); see docs/contracts.md. */
  readonly openapi?: boolean | OpenApiOptions;
}

/**
 * Route options. Fastify route options (`config`, `onRequest`, `preHandler`, `bodyLimit`, ... see
 * `FastifyRouteOptions`) are passed through to the rule's Fastify routes, so plugins reading them work per rule.
 * @example app.route('/notes/', { methods: ['GET', 'POST'], endpoint: 'notes', resource: new ResourceMarker() }, handler);
 */
export interface RouteOptions<S extends HttpRouteSchema = HttpRouteSchema> extends FastifyRouteOptions {
  /** Methods this handler serves (default `['GET']`); HEAD and OPTIONS are automatic. */
  readonly methods?: readonly string[];
  /** Name for `urlFor` and the page title; defaults to the handler's name, else the rule. */
  readonly endpoint?: string;
  /** Marks the rule as a resource: envelope, `update`, listing. A plain options object works too. */
  readonly resource?: ResourceMarker | ResourceMarkerOptions;
  /** Markdown shown on the browsable page (the seed's docstring). */
  readonly description?: string;
  /**
   * Request body media types this route accepts (e.g. `['application/json']`); others get 415. By default JSON,
   * urlencoded and multipart bodies are all accepted, as in the seed.
   */
  readonly contentTypes?: readonly string[];
  /**
   * Standard Schemas (zod, valibot, arktype, ...) for `body`, `query`, `params`, `headers` and `response` by
   * status: requests are validated before the handler (400 with `issues`), the handler is typed from them, and
   * they document the route (`/openapi.json`, Fastify's route schema). See docs/contracts.md.
   */
  readonly schema?: S;
  /**
   * A Fastify route schema for documentation plugins (`summary`, `tags`, `hide`, `response`, ...). Fastify does
   * not validate with it: the rule's converters and the body parser check requests. Path parameters are
   * described from the rule unless `params` is given.
   */
  readonly fastifySchema?: FastifySchema;
}

/**
 * A route handler; `req.params` is typed from the rule string.
 * @example const show: RouteHandler<'/notes/<int:id>/'> = (req) => ({ id: req.params.id });
 */
export type RouteHandler<Rule extends string, S = NoSchema> = (request: RouteRequest<Rule, S>) => RouteResult<S>;

/** What `route()` and the verb shorthands return: the service, its type carrying the new route. */
type Routed<This, Rule extends string, Method extends string, S> = This &
  WithRoutes<RouteTableEntry<Rule, Method, S, RuleParams<Rule>>>;

const MiB = 1024 * 1024;

/**
 * The HTTP service.
 * @example
 * const app = new Microservice('notes');
 * app.get('/notes/<int:id>/', { resource: new ResourceMarker() }, (req) => ({ id: req.params.id }));
 * await app.listen({ port: 5000 });
 */
export class Microservice {
  readonly name: string;
  /** The Fastify instance underneath: register plugins and hooks here. */
  readonly fastify: FastifyInstance;
  /** Resource records by rule string; only `route()` writes them. */
  readonly #resources = new Map<string, ResourceRecord>();
  readonly #router = new Router();
  readonly maxJsonDepth: number;
  readonly protoPoisoning: ProtoPoisoning;
  readonly formLimits: FormLimits;
  readonly logger: Logger;
  debug: boolean;
  /** Stack traces and thrown messages in 500 responses. */
  exposeErrors: boolean;
  #closing = false;
  /** Whether handler results are checked against `response` schemas (the `validateResponses` option). */
  readonly validateResponses: boolean;
  readonly #appSchema: ResourceSchema | undefined;
  readonly #inResources: readonly string[];
  readonly #drainTimeout: number;
  readonly #view: DispatchService;
  readonly #routes: FastifyRoutes;
  /** Its place in `run(...)`'s order (a lifecycle `Part`). */
  readonly kind = 'http' as const;
  readonly #ops: HttpOps;

  constructor(name = 'microservice', options: MicroserviceOptions = {}) {
    this.name = name;
    this.debug = options.debug ?? false;
    this.exposeErrors = options.exposeErrors ?? false;
    this.validateResponses = options.validateResponses ?? false;
    this.maxJsonDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
    this.protoPoisoning = options.protoPoisoning ?? 'error';
    this.formLimits = options.formLimits ?? {};
    this.logger = contextLogger(options.logger ?? getLogger('microservices.http.service'), { service: name });
    this.#appSchema =
      options.schema instanceof ResourceSchema || options.schema === undefined
        ? options.schema
        : new ResourceSchema(options.schema);
    this.#inResources = options.inResources ?? ['methods', 'url'];
    this.#drainTimeout = durationOption(options, 'drainTimeoutMs') ?? 10_000;
    this.#view = this.#dispatchView();
    const requestTimeout = durationOption(options, 'requestTimeoutMs') ?? 120_000;
    // Node requires headersTimeout <= requestTimeout unless the request timeout is off (0).
    const wantedHeadersTimeout = durationOption(options, 'headersTimeoutMs') ?? 60_000;
    const headersTimeout = requestTimeout > 0 ? Math.min(wantedHeadersTimeout, requestTimeout) : wantedHeadersTimeout;
    const shortestTimeout = Math.min(...[headersTimeout, requestTimeout].filter((timeout) => timeout > 0), 120_000);
    const keepAliveTimeout = durationOption(options, 'keepAliveTimeoutMs') ?? 72_000;
    const trustProxy: boolean | string | string[] =
      typeof options.trustProxy === 'object' ? [...options.trustProxy] : (options.trustProxy ?? false);
    this.fastify = Fastify({
      logger: false,
      bodyLimit: options.bodyLimit ?? MiB,
      exposeHeadRoutes: false,
      return503OnClosing: true,
      forceCloseConnections: 'idle',
      requestTimeout,
      keepAliveTimeout,
      trustProxy,
      // Rule parameters are checked by their converters; find-my-way's 100-character default would 404 longer ones.
      routerOptions: { maxParamLength: 64 * 1024 },
      // A malformed URL (`/%zz/`) gets the service's own error body.
      frameworkErrors: (error, request, reply) => renderFastifyError(this.#view, error as FastifyError, request, reply),
      serverFactory: (handler: RequestListener): Server =>
        createServer(
          {
            requestTimeout,
            headersTimeout,
            keepAliveTimeout,
            // Node only enforces the two timeouts when it checks; check often enough for them to mean something.
            connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(shortestTimeout / 4))),
            insecureHTTPParser: false,
          },
          handler,
        ),
    });
    this.fastify.removeAllContentTypeParsers();
    const keepBuffer = (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) => done(null, body);
    this.fastify.addContentTypeParser('*', { parseAs: 'buffer' }, keepBuffer);
    // The same, named: Fastify caches the parser of a named type, but looks the catch-all up anew per request.
    this.fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBuffer);
    this.fastify.setErrorHandler((error, request, reply) =>
      renderFastifyError(this.#view, error as FastifyError, request, reply),
    );
    this.#routes = new FastifyRoutes(this.fastify, this.#view);
    installHostPolicy(this.fastify, options, (request, reply, error) =>
      refuseRequest(this.#view, error, request, reply),
    );
    limitConnections(this.fastify.server, options);
    this.#ops = new HttpOps(this, options);
    installObservability(this.fastify, this.logger, options, this.#ops.metrics, this.#ops.metrics.wanted);
    serveOpenApi(this, options.openapi);
  }

  /** Liveness and readiness behind `/healthz` and `/readyz`. @example app.health.check('db', () => pool.ping()); */
  get health(): HealthRegistry {
    return this.#ops.health;
  }

  /**
   * Listens on `where`, else the `port`/`host` options, else `PORT`/`HOST`, else 127.0.0.1:5000; resolves with
   * the address. @example const address = await app.start({ port: 0 });
   */
  start(where?: { port?: number; host?: string }): Promise<string> {
    return this.#ops.start(where);
  }

  /** @internal The router, for the package's document builders (`openapi-route.ts`). */
  get [ROUTER](): Router {
    return this.#router;
  }

  /** Resolves once listening (after `start()`). @example await app.ready(); */
  ready(): Promise<void> {
    return this.#ops.ready();
  }

  /** Readiness 503, then stop accepting and drain (cut at `context.deadline`). @example await app.stop(); */
  stop(context?: StopContext): Promise<void> {
    return this.#ops.stop(context);
  }

  /** Runs `fn` when the service closes (after the drain). @example app.onClose(() => pool.end()); */
  onClose(fn: CloseHook): void {
    this.#ops.onClose(fn);
  }

  /**
   * Resource records by rule string (the seed's `app.resources`), read-only.
   * @example app.resources.get('/second/')?.methods; // ['GET', 'HEAD', 'POST', 'OPTIONS']
   */
  get resources(): ReadonlyMap<string, Readonly<ResourceRecord>> {
    return this.#resources;
  }

  /**
   * Registers `handler` on `rule` (Werkzeug syntax: `<x>`, `<int:x>`, `<float:x>`, `<path:x>`, `<uuid:x>`,
   * `<any(a,b):x>`).
   * @example app.route('/second/<string:test>/', { methods: ['GET', 'POST'], resource: new ResourceMarker() }, (req) => req.params.test);
   */
  route<
    Rule extends string,
    const M extends readonly string[] = readonly ['GET'],
    S extends HttpRouteSchema = NoSchema,
  >(
    rule: Rule,
    options: RouteOptions<S> & { readonly methods?: M },
    handler: RouteHandler<Rule, S>,
  ): Routed<this, Rule, M[number], S>;
  route<Rule extends string>(rule: Rule, handler: RouteHandler<Rule>): Routed<this, Rule, 'GET', NoSchema>;
  route<Rule extends string>(
    rule: Rule,
    optionsOrHandler: RouteOptions | RouteHandler<Rule>,
    maybeHandler?: RouteHandler<Rule>,
  ): this {
    const options = typeof optionsOrHandler === 'function' ? {} : optionsOrHandler;
    const handler = typeof optionsOrHandler === 'function' ? optionsOrHandler : maybeHandler;
    if (typeof handler !== 'function') throw new TypeError(`route(${rule}) needs a handler function`);
    const methods = (options.methods ?? ['GET']).map((method) => method.toUpperCase());
    const contract = RouteContract.from(rule, options.schema);
    const entry: RouteEntry = {
      endpoint: options.endpoint ?? (handler.name || rule),
      description: options.description,
      handler: contract?.wraps(this)
        ? contract.wrap(handler as RouteEntry['handler'], this)
        : (handler as RouteEntry['handler']),
      schema: options.schema,
      contract,
      contentTypes: options.contentTypes?.map((type) => type.toLowerCase()),
    };
    const group = this.#router.add(rule, methods, entry);
    this.#routes.add(
      group,
      methods,
      contract ? { ...options, fastifySchema: contract.fastifySchema(options.fastifySchema, methods) } : options,
    );
    if (options.resource !== undefined) {
      const marker = options.resource instanceof ResourceMarker ? options.resource.options : options.resource;
      group.record = applyMarker(group.record, rule, marker, {
        schema: this.#appSchema,
        inResources: this.#inResources,
      });
      this.#resources.set(rule, group.record);
    }
    if (group.record) {
      group.record.methods = [...group.allowed];
      group.record.endpoints.splice(0, Infinity, ...new Set([...group.handlers.values()].map((item) => item.endpoint)));
    }
    return this;
  }

  /** @example app.get('/', () => 'Hello'); */
  get<Rule extends string, S extends HttpRouteSchema = NoSchema>(
    rule: Rule,
    options: RouteOptions<S> | RouteHandler<Rule>,
    handler?: RouteHandler<Rule, S>,
  ): Routed<this, Rule, 'GET', S> {
    return this.#shorthand('GET', rule, options as RouteOptions, handler as RouteHandler<Rule>);
  }

  /** @example app.post('/notes/', (req) => reply(req.data, 201)); */
  post<Rule extends string, S extends HttpRouteSchema = NoSchema>(
    rule: Rule,
    options: RouteOptions<S> | RouteHandler<Rule>,
    handler?: RouteHandler<Rule, S>,
  ): Routed<this, Rule, 'POST', S> {
    return this.#shorthand('POST', rule, options as RouteOptions, handler as RouteHandler<Rule>);
  }

  /** @example app.put('/notes/<int:id>/', (req) => req.data); */
  put<Rule extends string, S extends HttpRouteSchema = NoSchema>(
    rule: Rule,
    options: RouteOptions<S> | RouteHandler<Rule>,
    handler?: RouteHandler<Rule, S>,
  ): Routed<this, Rule, 'PUT', S> {
    return this.#shorthand('PUT', rule, options as RouteOptions, handler as RouteHandler<Rule>);
  }

  /** @example app.patch('/notes/<int:id>/', (req) => req.data); */
  patch<Rule extends string, S extends HttpRouteSchema = NoSchema>(
    rule: Rule,
    options: RouteOptions<S> | RouteHandler<Rule>,
    handler?: RouteHandler<Rule, S>,
  ): Routed<this, Rule, 'PATCH', S> {
    return this.#shorthand('PATCH', rule, options as RouteOptions, handler as RouteHandler<Rule>);
  }

  /** @example app.delete('/notes/<int:id>/', () => reply(null, 204)); */
  delete<Rule extends string, S extends HttpRouteSchema = NoSchema>(
    rule: Rule,
    options: RouteOptions<S> | RouteHandler<Rule>,
    handler?: RouteHandler<Rule, S>,
  ): Routed<this, Rule, 'DELETE', S> {
    return this.#shorthand('DELETE', rule, options as RouteOptions, handler as RouteHandler<Rule>);
  }

  #shorthand<Rule extends string>(
    method: string,
    rule: Rule,
    optionsOrHandler: RouteOptions | RouteHandler<Rule>,
    maybeHandler: RouteHandler<Rule> | undefined,
  ): this {
    if (typeof optionsOrHandler === 'function') return this.route(rule, { methods: [method] }, optionsOrHandler);
    if (!maybeHandler) throw new TypeError(`${method.toLowerCase()}(${rule}) needs a handler function`);
    return this.route(rule, { ...optionsOrHandler, methods: [method] }, maybeHandler);
  }

  /**
   * The URL of an endpoint; `external` needs the request's origin (`req.urlFor` supplies it).
   * @example app.urlFor('second_params', { test: 'x' }); // '/second/x/'
   */
  urlFor(
    endpoint: string,
    params: Readonly<Record<string, unknown>> = {},
    options: UrlForOptions = {},
    origin = '',
  ): string {
    const group = this.#router.endpoints.get(endpoint);
    if (!group) throw new BuildError(`Could not build a URL: no endpoint named "${endpoint}"`);
    const path = group.rule.build(params);
    return options.external ? `${origin}${path}` : path;
  }

  /**
   * Starts listening (default 127.0.0.1:5000); resolves with the address.
   * @example const address = await app.listen({ port: 0 });
   */
  async listen(options: { port?: number; host?: string } = {}): Promise<string> {
    return this.fastify.listen({ port: options.port ?? 5000, host: options.host ?? '127.0.0.1' });
  }

  /**
   * Sends a request without a socket (tests).
   * @example const res = await app.inject({ method: 'GET', url: '/' }); res.json();
   */
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse> {
    return this.fastify.inject(options);
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (they get `Connection: close`) for up to
   * `drainTimeoutMs`, then cuts what is left.
   * @example process.once('SIGTERM', () => app.close());
   */
  async close(): Promise<void> {
    this.#closing = true;
    const timer = setTimeout(() => {
      this.logger.warn(`Drain timeout (${this.#drainTimeout} ms) reached; closing the remaining connections`);
      this.fastify.server.closeAllConnections();
    }, this.#drainTimeout);
    timer.unref();
    try {
      await this.fastify.close();
    } finally {
      clearTimeout(timer);
    }
  }

  /** The seed's `str(app)`. */
  toString(): string {
    return `<microservice: ${this.name}>`;
  }

  #dispatchView(): DispatchService {
    // The view reads live fields (debug, closing) of this service through getters.
    const app = this;
    return {
      get name() {
        return app.name;
      },
      get debug() {
        return app.debug;
      },
      get exposeErrors() {
        return app.exposeErrors;
      },
      get closing() {
        return app.#closing;
      },
      get apiDocument() {
        return app.#router.endpoints.get(OPENAPI_ENDPOINT)?.rule.rule;
      },
      router: app.#router,
      maxJsonDepth: app.maxJsonDepth,
      protoPoisoning: app.protoPoisoning,
      get formLimits() {
        return app.formLimits;
      },
      logger: app.logger,
      records: () => app.#resources.values(),
      urlFor: (endpoint, params, options, origin) => app.urlFor(endpoint, params, options, origin),
    };
  }
}

/** The seed's name for the HTTP service class. */
export { Microservice as HttpService };
