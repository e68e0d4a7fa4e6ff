/**
 * Type-level contract helpers: what a handler receives and may return, inferred from the Standard Schemas
 * of a route. Pure types: nothing here exists at run time.
 */
import type { StandardSchemaV1, StandardTypedV1 } from '@standard-schema/spec';

/** Any Standard Schema v1 validator, whatever its input and output types. */
// biome-ignore lint/suspicious/noExplicitAny: the widest schema type must accept every input/output pair.
export type AnySchema = StandardSchemaV1<any, any>;

/**
 * What a schema accepts (before coercions and defaults); `unknown` for anything that is not a schema.
 * @example type In = InferInput<typeof NoteInput>;
 */
export type InferInput<S> = S extends StandardTypedV1 ? StandardTypedV1.InferInput<S> : unknown;

/**
 * What a schema produces (after coercions and defaults); `unknown` for anything that is not a schema.
 * @example type Out = InferOutput<typeof NoteInput>;
 */
export type InferOutput<S> = S extends StandardTypedV1 ? StandardTypedV1.InferOutput<S> : unknown;

/**
 * The schemas of one route. `response` maps a status to the schema of the data the handler returns with it.
 * @example const schema = { body: NoteInput, query: Paging, response: { 200: Note } } satisfies RouteSchema;
 */
export interface RouteSchema {
  readonly body?: AnySchema;
  readonly query?: AnySchema;
  readonly headers?: AnySchema;
  readonly response?: { readonly [status: number]: AnySchema };
}

type Part<R, K extends keyof RouteSchema> = R extends { readonly [P in K]: infer S } ? InferOutput<S> : unknown;

/**
 * The validated body a handler sees (`req.data`): the body schema's output, `unknown` without one.
 * @example type Data = RouteData<{ body: typeof NoteInput }>;
 */
export type RouteData<R> = Part<R, 'body'>;

/** The validated query a handler sees: the query schema's output, `unknown` without one. */
export type RouteQuery<R> = Part<R, 'query'>;

/** The validated headers a handler sees: the headers schema's output, `unknown` without one. */
export type RouteHeaders<R> = Part<R, 'headers'>;

/** Everything validated a handler receives. */
export interface RouteInput<R> {
  readonly data: RouteData<R>;
  readonly query: RouteQuery<R>;
  readonly headers: RouteHeaders<R>;
}

type Responses<R> = R extends { readonly response: infer M } ? M : never;

/** The statuses a route declares a response schema for (`never` without any). */
export type RouteStatus<R> = Extract<keyof Responses<R>, number>;

/** Statuses 200..299, the ones a plain handler return answers with. */
type Success = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;

/**
 * What a handler may return: the input of any declared 2xx response schema (the schema may still transform
 * it before it is sent); `unknown` when the route declares no 2xx response.
 * @example type Ret = RouteReturn<{ response: { 200: typeof Note } }>;
 */
export type RouteReturn<R> = [Extract<RouteStatus<R>, Success>] extends [never]
  ? unknown
  : { [S in Extract<RouteStatus<R>, Success>]: InferInput<Responses<R>[S]> }[Extract<RouteStatus<R>, Success>];

/**
 * The body a client receives with a status (the response schema's output), `unknown` when not declared.
 * @example type Body = RouteResponseBody<{ response: { 200: typeof Note } }, 200>;
 */
export type RouteResponseBody<R, Status extends number> =
  Status extends RouteStatus<R> ? InferOutput<Responses<R>[Status]> : unknown;

/**
 * What a client may send as the body (the body schema's input), `unknown` without one.
 * @example type Sent = RouteBodyInput<{ body: typeof NoteInput }>;
 */
export type RouteBodyInput<R> = R extends { readonly body: infer S } ? InferInput<S> : unknown;
