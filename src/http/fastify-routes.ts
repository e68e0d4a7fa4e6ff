/**
 * The service's rules as real Fastify routes: each `app.route(rule, ...)` call registers its methods (HEAD
 * with GET) and, once per rule, the automatic OPTIONS, at the path rules.ts translates the rule into. Fastify's
 * router picks the route, so its hooks, per-route config and `onRoute` listeners (swagger, rate limits, CORS,
 * tracing) see each rule; the rule's own matcher then converts the parameters. Paths no route takes go to the
 * not-found handler, where the service's table gives 404, the 308 slash redirect or 405 with `Allow`.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteOptions as FastifyRouteDefinition,
  FastifySchema,
  RouteShorthandOptions,
} from 'fastify';
import { type DispatchService, RequestContext } from './dispatch.js';
import type { RouteGroup } from './router.js';
import { STATIC_PREFIX } from './static-assets.js';

/**
 * Fastify route options a rule's routes carry through unchanged: hooks, `config` (read by plugins such as
 * `@fastify/rate-limit`), `bodyLimit`, `logLevel`.
 * @example app.get('/x/', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, handler);
 */
export type FastifyRouteOptions = Pick<
  RouteShorthandOptions,
  | 'config'
  | 'onRequest'
  | 'preParsing'
  | 'preValidation'
  | 'preHandler'
  | 'preSerialization'
  | 'onSend'
  | 'onResponse'
  | 'onTimeout'
  | 'onError'
  | 'onRequestAbort'
  | 'bodyLimit'
  | 'logLevel'
>;

/** The keys of `FastifyRouteOptions`, to pick them out of the service's route options. */
const PASSED_THROUGH = [
  'config',
  'onRequest',
  'preParsing',
  'preValidation',
  'preHandler',
  'preSerialization',
  'onSend',
  'onResponse',
  'onTimeout',
  'onError',
  'onRequestAbort',
  'bodyLimit',
  'logLevel',
] as const satisfies readonly (keyof FastifyRouteOptions)[];

/** Where a route's config keeps its rule group, for the error handler. */
export const RULE_GROUP: unique symbol = Symbol('microservices-ts rule group');

/**
 * Where a rule's handler leaves its group on the request (a request decoration, so every request has the
 * field from the start): the per-response hooks read it there instead of through `request.routeOptions`, a
 * getter that builds a fresh object on every read.
 */
const MATCHED_GROUP: unique symbol = Symbol('microservices-ts matched rule group');
type MarkedRequest = FastifyRequest & { [MATCHED_GROUP]: RouteGroup | null };

/** The rule group of the route Fastify matched, if it is one of the service's. */
export function groupOf(request: FastifyRequest): RouteGroup | undefined {
  const marked = (request as MarkedRequest)[MATCHED_GROUP];
  if (marked) return marked;
  const config = request.routeOptions.config as { [RULE_GROUP]?: RouteGroup } | undefined;
  return config?.[RULE_GROUP];
}

type PreParsingDone = (error: null, payload: unknown) => void;

/** The validator of documentation-only schemas: the rule's converters and the body parser do the checking. */
const alwaysValid = (): true => true;
const noValidation = () => alwaysValid;
/** The service sends text it encoded itself, so response schemas are never used to serialise. */
const noSerialization = () => JSON.stringify;

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const JSON_TYPES: Readonly<Record<string, string>> = { int: 'integer', float: 'number', bigint: 'string' };

/** A params schema for documentation plugins, from the rule's parameter names and converters. */
function paramsSchema(rule: string): Record<string, unknown> {
  const properties: Record<string, { type: string }> = {};
  for (const match of rule.matchAll(/<(?:([a-zA-Z_]\w*)(?:\([^)]*\))?:)?([a-zA-Z_]\w*)>/g)) {
    properties[match[2] ?? ''] = { type: JSON_TYPES[match[1] ?? ''] ?? 'string' };
  }
  return { type: 'object', properties, required: Object.keys(properties) };
}

/**
 * Registers the service's routes on its Fastify instance.
 * @example const routes = new FastifyRoutes(fastify, view); routes.add(group, ['GET'], {});
 */
export class FastifyRoutes {
  readonly #fastify: FastifyInstance;
  readonly #service: DispatchService;
  /** Rules whose automatic OPTIONS route is registered. */
  readonly #withOptions = new WeakSet<RouteGroup>();

  constructor(fastify: FastifyInstance, service: DispatchService) {
    this.#fastify = fastify;
    this.#service = service;
    fastify.decorateRequest(MATCHED_GROUP, null);
    const unrouted = (request: FastifyRequest, reply: FastifyReply) =>
      new RequestContext(service, request, reply).lookUp();
    // Fastify applies every lifecycle hook given here to its not-found route (its types list two of them).
    const beforeBody = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: PreParsingDone) => {
      if (hasBody(request) && new RequestContext(service, request, reply).answerUnrouted()) return;
      done(null, payload);
    };
    fastify.setNotFoundHandler({ preParsing: [beforeBody] } as object, unrouted);
    fastify.route({
      method: ['GET', 'HEAD'],
      url: `${STATIC_PREFIX}*`,
      schema: { hide: true } as FastifySchema,
      handler: (request, reply) => new RequestContext(service, request, reply).staticAsset(),
    });
  }

  /**
   * Registers `methods` of `group` (one `app.route` call) with the caller's Fastify options. A method already
   * taken at the same Fastify path by an earlier rule is left to that route, whose handler hands paths it does
   * not match to the service's table; so is a method Fastify does not route (it reaches the not-found handler).
   */
  add(
    group: RouteGroup,
    methods: readonly string[],
    options: FastifyRouteOptions & { fastifySchema?: FastifySchema; contentTypes?: readonly string[] },
  ): void {
    try {
      this.#register(group, methods, options);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'FST_ERR_INSTANCE_ALREADY_LISTENING') throw error;
      // As before rules were Fastify routes: still served, by the not-found handler and the service's table.
      this.#service.logger.warn(
        `${group.rule.rule} was added after the server started: it is served, but Fastify (plugins, hooks, route options) does not see it`,
      );
    }
  }

  #register(
    group: RouteGroup,
    methods: readonly string[],
    options: FastifyRouteOptions & { fastifySchema?: FastifySchema; contentTypes?: readonly string[] },
  ): void {
    const fastify = this.#fastify;
    const url = group.rule.routePath;
    const wanted = new Set(methods);
    if (wanted.has('GET')) wanted.add('HEAD');
    const free = [...wanted].filter(
      (method) => fastify.supportedMethods.includes(method) && !fastify.hasRoute({ method, url }),
    );
    if (free.length > 0) fastify.route(this.#definition(group, free, options));
    // `/*` is where @fastify/cors puts its OPTIONS route; OPTIONS there is answered by the not-found handler.
    if (!this.#withOptions.has(group) && url !== '/*' && !fastify.hasRoute({ method: 'OPTIONS', url })) {
      this.#withOptions.add(group);
      fastify.route(this.#definition(group, ['OPTIONS'], { fastifySchema: { hide: true } as FastifySchema }));
    }
  }

  #definition(
    group: RouteGroup,
    methods: string[],
    options: FastifyRouteOptions & { fastifySchema?: FastifySchema; contentTypes?: readonly string[] },
  ): FastifyRouteDefinition {
    const service = this.#service;
    const { rule } = group;
    const definition: Record<string, unknown> = {};
    for (const key of PASSED_THROUGH) if (options[key] !== undefined) definition[key] = options[key];
    const config: Record<string | symbol, unknown> = { ...(options.config as object | undefined) };
    config[RULE_GROUP] = group;
    // A prefix route's path says `*`: documentation plugins get the rule's own path instead.
    if (!rule.routeExact || rule.routePath.endsWith('*')) {
      config.swaggerTransform ??= ({ schema }: { schema: unknown }) => ({ schema, url: rule.openApiPath });
    }
    // Documentation only (see `noValidation`); a static rule without a schema of its own gets none at all.
    const schema =
      rule.isStatic && options.fastifySchema === undefined
        ? undefined
        : { ...(rule.isStatic ? {} : { params: paramsSchema(rule.rule) }), ...options.fastifySchema };
    const preParsing = options.contentTypes
      ? [
          (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: PreParsingDone) => {
            // Refuse a media type the route does not take before reading the body.
            if (hasBody(request) && new RequestContext(service, request, reply).refuseBody(group)) return;
            done(null, payload);
          },
          ...[options.preParsing ?? []].flat(),
        ]
      : options.preParsing;
    return {
      ...definition,
      method: methods,
      url: rule.routePath,
      config,
      ...(schema === undefined ? {} : { schema, validatorCompiler: noValidation, serializerCompiler: noSerialization }),
      ...(preParsing === undefined ? {} : { preParsing }),
      handler: (request: FastifyRequest, reply: FastifyReply) => {
        (request as MarkedRequest)[MATCHED_GROUP] = group;
        return new RequestContext(service, request, reply).routeTo(group);
      },
    } as FastifyRouteDefinition;
  }
}
