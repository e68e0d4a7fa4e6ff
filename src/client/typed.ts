/**
 * The typed HTTP client: paths, path parameters, bodies, queries and responses checked by `tsc` from the
 * service's own route definitions, without code generation (in the way Hono's `hc` works). The service's type
 * carries its routes (every `route()`/`get()`/... returns it typed with the new route), so
 * `typedClient<typeof app>(url)` knows every rule, its methods and its schemas. Requests are plain JSON over
 * undici; a status of 400 or more rejects with the same `ResponseError` as the resource-walking `Client`.
 */
import { Agent, type Dispatcher, request } from 'undici';
import type {
  InferInput,
  RouteBodyInput,
  RouteResponseBody,
  RouteStatus,
  RoutesOf,
  RouteTypes,
} from '../contracts/index.js';
import { parseRule, type RulePart } from '../contracts/index.js';
import { maskPassword } from '../secrets.js';
import { ConnectionError, ResponseError, ResponseTooLargeError, TimeoutError } from './errors.js';

type Success = 200 | 201 | 202 | 203 | 204 | 205 | 206 | 207 | 208 | 226;
type Empty = Record<never, never>;
/** A query value the client can write: repeated keys as arrays. */
export type TypedQueryValue = string | number | boolean | readonly (string | number | boolean)[];

type Methods<T> = { [R in keyof T]: keyof T[R] }[keyof T];
/** The rules of table `T` that serve `M`. */
export type RulesFor<T, M extends string> = {
  [R in keyof T]: M extends keyof T[R] ? R : never;
}[keyof T] &
  string;
type Types<T, R, M> = R extends keyof T ? (M extends keyof T[R] ? T[R][M] : never) : never;
type SchemaOf<X> = X extends RouteTypes<infer S, unknown> ? S : never;
type ParamsOf<X> = X extends RouteTypes<unknown, infer P> ? P : never;

type ParamsInit<P> = Empty extends P ? { readonly params?: P } : { readonly params: P };
type BodyInit<S, M> = M extends 'GET' | 'HEAD' | 'OPTIONS'
  ? { readonly body?: never }
  : S extends { readonly body: unknown }
    ? undefined extends RouteBodyInput<S>
      ? { readonly body?: RouteBodyInput<S> }
      : { readonly body: RouteBodyInput<S> }
    : { readonly body?: unknown };
type QueryInit<S> = S extends { readonly query: infer Q }
  ? Empty extends InferInput<Q>
    ? { readonly query?: InferInput<Q> }
    : { readonly query: InferInput<Q> }
  : { readonly query?: Readonly<Record<string, TypedQueryValue>> };

/**
 * What one call with method `M` takes: `params` (required when the rule has any), `body` and `query` typed from
 * the route's schemas (required when they have required fields; no body on GET), extra `headers`, a `signal`.
 */
export type TypedRequestInit<X, M = string> = ParamsInit<ParamsOf<X>> &
  BodyInit<SchemaOf<X>, M> &
  QueryInit<SchemaOf<X>> & {
    readonly headers?: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
  };

/**
 * A successful answer: `status` narrows `data` to that status's response schema output. Without a declared
 * 2xx response schema, `data` is `unknown`.
 */
export type TypedResponse<S> = [Extract<RouteStatus<S>, Success>] extends [never]
  ? { readonly status: number; readonly data: unknown; readonly headers: Readonly<Record<string, string>> }
  : {
      [K in Extract<RouteStatus<S>, Success>]: {
        readonly status: K;
        readonly data: RouteResponseBody<S, K>;
        readonly headers: Readonly<Record<string, string>>;
      };
    }[Extract<RouteStatus<S>, Success>];

type Args<X, M> =
  Empty extends TypedRequestInit<X, M> ? [init?: TypedRequestInit<X, M>] : [init: TypedRequestInit<X, M>];

type Verb<T, M extends string> = <R extends RulesFor<T, M>>(
  rule: R,
  ...args: Args<Types<T, R, M>, M>
) => Promise<TypedResponse<SchemaOf<Types<T, R, M>>>>;

/**
 * The client over route table `T` (`RoutesOf<typeof app>`).
 * @example const note = await api.get('/notes/<int:id>/', { params: { id: 1 } }); note.data.title;
 */
export interface TypedClient<T> {
  request<M extends Methods<T> & string, R extends RulesFor<T, M>>(
    method: M,
    rule: R,
    ...args: Args<Types<T, R, M>, M>
  ): Promise<TypedResponse<SchemaOf<Types<T, R, M>>>>;
  readonly get: Verb<T, 'GET'>;
  readonly post: Verb<T, 'POST'>;
  readonly put: Verb<T, 'PUT'>;
  readonly patch: Verb<T, 'PATCH'>;
  readonly delete: Verb<T, 'DELETE'>;
  /** Closes the client's own connection pool (not a `dispatcher` given in the options). */
  close(): Promise<void>;
}

/** Options of `typedClient()`. */
export interface TypedClientOptions {
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of a whole call, in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Largest response body read, in bytes (default 16 MiB). */
  readonly maxResponseSize?: number;
  /** The undici dispatcher (default: one keep-alive `Agent` per client). */
  readonly dispatcher?: Dispatcher;
}

type Init = {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
};

const rules = new Map<string, readonly RulePart[]>();

/** `/notes/<int:id>/` with `{ id: 1 }` → `/notes/1/`; a `path` parameter keeps its slashes. */
function buildPath(rule: string, params: Readonly<Record<string, unknown>>): string {
  let parts = rules.get(rule);
  if (parts === undefined) {
    parts = parseRule(rule);
    if (rules.size < 1000) rules.set(rule, parts);
  }
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = params[part.name];
    if (value === undefined || value === null) throw new TypeError(`${rule}: path parameter "${part.name}" is missing`);
    const text = String(value);
    out += part.converter === 'path' ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text);
  }
  return out;
}

function queryString(query: Readonly<Record<string, unknown>> | undefined): string {
  if (query === undefined) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function flatHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readText(body: Dispatcher.ResponseData['body'], limit: number, url: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new ResponseTooLargeError(url, limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A client typed from a service's routes. Build the service in one chain so its type carries every route.
 * @example
 * const app = new Microservice('notes')
 *   .put('/notes/<int:id>/', { schema: { body: NoteInput, response: { 200: Note } } }, (req) => save(req.params.id, req.data));
 * const api = typedClient<typeof app>('http://127.0.0.1:5000');
 * const { data } = await api.put('/notes/<int:id>/', { params: { id: 1 }, body: { title: 'x' } }); // data: Note
 */
export function typedClient<App>(baseUrl: string | URL, options: TypedClientOptions = {}): TypedClient<RoutesOf<App>> {
  const base = new URL(baseUrl);
  const origin = base.origin;
  const prefix = base.pathname.replace(/\/+$/, '');
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const limit = options.maxResponseSize ?? 16 * 1024 * 1024;

  const call = async (method: string, rule: string, init: Init = {}) => {
    const path = `${prefix}${buildPath(rule, init.params ?? {})}${queryString(init.query)}`;
    const shown = maskPassword(`${origin}${path}`);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...init.headers };
    let body: string | null = null;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(new URL(path, origin), {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher,
        signal,
      });
      text = await readText(response.body, limit, shown);
    } catch (error) {
      if (error instanceof ResponseTooLargeError) throw error;
      if (timeout.aborted && !init.signal?.aborted) throw new TimeoutError('total', timeoutMs, shown, error);
      if (init.signal?.aborted) throw error;
      throw new ConnectionError(shown, error);
    }
    const responseHeaders = flatHeaders(response.headers);
    if (response.statusCode >= 400) {
      const snapshot = { statusCode: response.statusCode, headers: response.headers, content: text, url: shown };
      throw new ResponseError(snapshot, text.slice(0, 500));
    }
    let data: unknown = text;
    if (text !== '' && (responseHeaders['content-type'] ?? '').includes('json')) {
      try {
        data = JSON.parse(text);
      } catch (error) {
        const snapshot = { statusCode: response.statusCode, headers: response.headers, content: text, url: shown };
        throw new ResponseError(snapshot, error as Error);
      }
    } else if (text === '') data = null;
    return { status: response.statusCode, data, headers: responseHeaders };
  };

  const verb = (method: string) => (rule: string, init?: Init) => call(method, rule, init);
  const client = {
    request: (method: string, rule: string, init?: Init) => call(method.toUpperCase(), rule, init),
    get: verb('GET'),
    post: verb('POST'),
    put: verb('PUT'),
    patch: verb('PATCH'),
    delete: verb('DELETE'),
    close: async () => {
      if (options.dispatcher === undefined) await dispatcher.close();
    },
  };
  return client as unknown as TypedClient<RoutesOf<App>>;
}
