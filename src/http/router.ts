/**
 * The route table: one group per rule string (its handlers by method and its resource record), static rules in
 * a map, parameterised ones tried most specific first. Finding a route distinguishes "no such path" (404) from
 * "path exists, method does not" (405 with the exact allowed methods).
 */
import type { ResourceRecord } from './resources.js';
import type { Params } from './rule-matcher.js';
import { CompiledRule } from './rules.js';
import type { RouteContract } from './validation.js';

/** One registered handler. */
export interface RouteEntry {
  readonly endpoint: string;
  readonly description: string | undefined;
  readonly handler: (request: never) => unknown;
  /** The `schema` route option as given. */
  readonly schema: unknown;
  /** The route's contract (schemas, the body's JSON Schema) when it has a `schema`; see validation.ts. */
  readonly contract: RouteContract | undefined;
  /** Accepted body media types; `undefined` accepts JSON, urlencoded and multipart. */
  readonly contentTypes: readonly string[] | undefined;
}

/** All routes sharing one rule string. */
export interface RouteGroup {
  readonly rule: CompiledRule;
  readonly handlers: Map<string, RouteEntry>;
  /** Methods to list in `Allow`, in a fixed order. */
  allowed: readonly string[];
  /** `allowed` joined for the `Allow` header. */
  allowHeader: string;
  record: ResourceRecord | undefined;
  /**
   * Whether another rule that Werkzeug's order tries first could match some of this rule's paths. Fastify's
   * router may pick this rule for such a path, so its handler asks the whole table instead of trusting the pick.
   */
  contested: boolean;
}

export type RouteMatch =
  | {
      readonly kind: 'found';
      readonly group: RouteGroup;
      readonly params: Params;
      readonly entry: RouteEntry | undefined;
    }
  | { readonly kind: 'method-not-allowed'; readonly group: RouteGroup; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Orders methods as GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, then others alphabetically.
 * @example sortMethods(['POST', 'GET']); // ['GET', 'POST']
 */
export function sortMethods(methods: Iterable<string>): string[] {
  const rank = (method: string): number => {
    const index = METHOD_ORDER.indexOf(method);
    return index < 0 ? METHOD_ORDER.length : index;
  };
  return [...new Set(methods)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function allowedMethods(handlers: Map<string, RouteEntry>): string[] {
  const methods = new Set(handlers.keys());
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return sortMethods(methods);
}

const NOT_FOUND: RouteMatch = { kind: 'not-found' };

/**
 * The route table of one service.
 * @example
 * const router = new Router();
 * router.add('/x/<int:id>/', ['GET'], entry);
 * router.find('/x/1/', 'GET'); // { kind: 'found', params: { id: 1 }, ... }
 */
/**
 * The key under which a service hands its router to the package's own document builders. Internal: the
 * package's entry points do not export it, so user code cannot reach the router.
 */
export const ROUTER: unique symbol = Symbol('microservices.router');

export class Router {
  readonly groups = new Map<string, RouteGroup>();
  readonly endpoints = new Map<string, RouteGroup>();
  readonly #staticPaths = new Map<string, RouteGroup>();
  #dynamic: RouteGroup[] = [];

  /** Registers `entry` for `methods` on `rule`; returns the rule's group. */
  add(rule: string, methods: readonly string[], entry: RouteEntry): RouteGroup {
    let group = this.groups.get(rule);
    if (!group) {
      const compiled = new CompiledRule(rule);
      group = {
        rule: compiled,
        handlers: new Map(),
        allowed: [],
        allowHeader: '',
        record: undefined,
        contested: false,
      };
      this.groups.set(rule, group);
      if (compiled.isStatic) this.#staticPaths.set(compiled.staticPath, group);
      else {
        this.#dynamic = [...this.#dynamic, group].sort((a, b) => a.rule.weight - b.rule.weight);
        this.#markContested();
      }
    }
    for (const method of methods) group.handlers.set(method.toUpperCase(), entry);
    group.allowed = allowedMethods(group.handlers);
    group.allowHeader = group.allowed.join(', ');
    if (!this.endpoints.has(entry.endpoint)) this.endpoints.set(entry.endpoint, group);
    return group;
  }

  /** Marks every dynamic group that a group tried before it (lower weight, or equal and older) may shadow. */
  #markContested(): void {
    this.#dynamic.forEach((group, index) => {
      group.contested = this.#dynamic.slice(0, index).some((earlier) => earlier.rule.mayOverlap(group.rule));
    });
  }

  /** The handler of `group` for `method`: HEAD falls back to GET. */
  static entryFor(group: RouteGroup, method: string): RouteEntry | undefined {
    return group.handlers.get(method) ?? (method === 'HEAD' ? group.handlers.get('GET') : undefined);
  }

  /** Finds the route for a raw (percent-encoded) path and a method. */
  find(path: string, method: string): RouteMatch {
    const exact = this.#staticPaths.get(path);
    if (exact?.allowed.includes(method)) {
      return { kind: 'found', group: exact, params: {}, entry: Router.entryFor(exact, method) };
    }
    let firstMatch = exact;
    let allowed: Set<string> | undefined = exact ? new Set(exact.allowed) : undefined;
    for (const group of this.#dynamic) {
      const params = group.rule.match(path);
      if (params === undefined) continue;
      if (group.allowed.includes(method)) {
        return { kind: 'found', group, params, entry: Router.entryFor(group, method) };
      }
      firstMatch ??= group;
      allowed ??= new Set();
      for (const item of group.allowed) allowed.add(item);
    }
    if (firstMatch === undefined || allowed === undefined) return NOT_FOUND;
    return { kind: 'method-not-allowed', group: firstMatch, allowed: sortMethods(allowed) };
  }
}
