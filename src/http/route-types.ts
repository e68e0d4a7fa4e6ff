/**
 * Compile-time types of a route with a `schema`: what its handler receives and may return. Pure types. The
 * route table a service's type carries for the typed client is in src/contracts/route-table.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AnySchema, InferOutput, RouteReturn, RouteSchema } from '../contracts/index.js';
import type { HttpReply } from './reply.js';
import type { HttpRequest } from './request.js';
import type { RuleParams } from './rule-params.js';

/**
 * The schemas of one HTTP route: the contracts' `RouteSchema` plus `params`, checked after the rule's
 * converters (so `<int:id>` arrives as a number).
 * @example const schema = { body: NoteInput, query: Paging, response: { 200: Note } } satisfies HttpRouteSchema;
 */
export interface HttpRouteSchema extends RouteSchema {
  readonly params?: AnySchema;
}

/** The schema of a route without one (nothing validated, nothing typed beyond the rule's parameters). */
export type NoSchema = Record<never, never>;

type Has<S, K extends string> = S extends { readonly [P in K]: infer X } ? (X extends AnySchema ? true : false) : false;

/** Whether `S` declares any request part (a wide `HttpRouteSchema` does not, so it stays untyped). */
type Validates<S> = true extends Has<S, 'body'> | Has<S, 'query'> | Has<S, 'params'> | Has<S, 'headers'> ? true : false;

/**
 * The request a handler of a validated route sees: `data`, `query`, `params` and `headers` typed from the
 * schemas' outputs (coercions and defaults applied); a part without a schema keeps its plain type.
 */
export type ValidatedRequest<Rule extends string, S> = Omit<
  HttpRequest<RuleParams<Rule>>,
  'params' | 'data' | 'query' | 'headers'
> & {
  readonly params: S extends { readonly params: infer X } ? InferOutput<X> : RuleParams<Rule>;
  readonly data: S extends { readonly body: infer X } ? InferOutput<X> : unknown;
  readonly query: S extends { readonly query: infer X } ? InferOutput<X> : Readonly<Record<string, string>>;
  readonly headers: S extends { readonly headers: infer X }
    ? IncomingHttpHeaders & InferOutput<X>
    : IncomingHttpHeaders;
};

/**
 * What a handler receives: `HttpRequest` typed from the rule, or `ValidatedRequest` when the route has schemas.
 * @example type Req = RouteRequest<'/notes/<int:id>/', { body: typeof NoteInput }>; // Req['data']: NoteInput's output
 */
export type RouteRequest<Rule extends string, S = NoSchema> =
  Validates<S> extends true ? ValidatedRequest<Rule, S> : HttpRequest<RuleParams<Rule>>;

type Returned<S> = RouteReturn<S> | HttpReply | Response;

/**
 * What a handler may return: anything without a 2xx response schema; else the input of a declared 2xx
 * response schema, a `reply(...)` (any status) or a `Response`, directly or through a Promise.
 */
export type RouteResult<S = NoSchema> =
  unknown extends RouteReturn<S> ? unknown : Returned<S> | PromiseLike<Returned<S>>;
