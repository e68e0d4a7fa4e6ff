/**
 * The client's option types: what `new Client(endpoint, options)` takes and what each call takes.
 */
import type { Logger } from '../logging.js';
import type { QueryObject } from './query.js';
import type { PathPart } from './url.js';

/** Credentials for one call: HTTP Basic or a Bearer token. */
export type Auth = { readonly username: string; readonly password: string } | { readonly bearer: string };

/** Header values a call may pass; arrays repeat the header. */
export type HeaderValues = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/**
 * How `data` is sent. `json` (the default, and any value containing `json`, which is then used as the
 * Content-Type) sends JSON; `form` sends `application/x-www-form-urlencoded`; `multipart` sends
 * `multipart/form-data`; `body` sends a string or bytes as they are (an object is form-encoded, as requests did).
 * Any other value drops the body, as the seed did (a warning is logged).
 */
export type ContentType = 'json' | 'form' | 'multipart' | 'body' | (string & {});

/** A body for `contentType: 'multipart'`: field name to text, bytes or a Blob/File (arrays repeat the field). */
export type MultipartValue = string | number | boolean | Uint8Array | Blob;

/** Phase deadlines in milliseconds. `total` covers the whole call, retries and redirects included. */
export interface Timeouts {
  readonly total?: number;
  /** Until the response headers arrive (per attempt). */
  readonly headers?: number;
  /** Between two chunks of the response body (per attempt). */
  readonly body?: number;
}

/** When and how often to retry (see docs/client.md: idempotent methods only, unless `idempotencyKey` is set). */
export interface RetryOptions {
  /** Further attempts after the first; 0 turns retries off. Default 2. */
  readonly retries?: number;
  /** The base of the exponential backoff, in ms. Default 100. */
  readonly baseDelayMs?: number;
  /** The most one backoff may wait, in ms. Default 5000. */
  readonly maxDelayMs?: number;
  /** A `Retry-After` longer than this (ms) is not waited for: the response is returned as it is. Default 30000. */
  readonly maxRetryAfterMs?: number;
  /** @deprecated Use `baseDelayMs` (same value, in ms). */
  readonly baseDelay?: number;
  /** @deprecated Use `maxDelayMs` (same value, in ms). */
  readonly maxDelay?: number;
  /** @deprecated Use `maxRetryAfterMs` (same value, in ms). */
  readonly maxRetryAfter?: number;
}

/** Options of `new Client(endpoint, options)`. */
export interface ClientOptions {
  /** Statuses whose JSON is a result. Default `[200, 201, 202]`; a custom list replaces it entirely. */
  readonly okStatuses?: readonly number[];
  /** Statuses that give `null` when a `key` is asked for. Default `[404]`. */
  readonly toNoneStatuses?: readonly number[];
  /**
   * Statuses that carry no body by definition: they give `null` (with or without a `key`), whatever
   * `okStatuses` says. Default `[204, 205, 304]`; `[]` makes them follow `okStatuses` as in the seed.
   */
  readonly noContentStatuses?: readonly number[];
  /** The deepest JSON nesting accepted in a response body (as the HTTP service's cap). Default 64. */
  readonly maxJsonDepth?: number;
  /** With a `key`, turn a falsy value (`""`, `0`, `{}`, `[]`, `false`) into `null`. Default `true`. */
  readonly emptyToNone?: boolean;
  /** Append a `/` to every path that lacks one. Default `true`. */
  readonly closeSlash?: boolean;
  /** Keep blank values (`e=`) when parsing query strings. Default `true`. */
  readonly keepBlankValues?: boolean;
  /** The client's name in `toString()` and logs. Default `<client: ENDPOINT>` with the password masked. */
  readonly name?: string;
  /**
   * Where log lines go: any pino-compatible logger (it gets a `client` field) or a console-like one (lines
   * are prefixed with the name). Default `getLogger('microservices.http.client')`. Per-request lines are at debug.
   */
  readonly logger?: Logger;
  /**
   * A client span per call with `traceparent` sent (`@opentelemetry/api`, a no-op without an SDK). Default true;
   * turn it off when `@opentelemetry/instrumentation-undici` traces the calls instead.
   */
  readonly tracing?: boolean;
  /** Headers sent with every call (a call's own headers win). */
  readonly headers?: HeaderValues;
  /** Default per-call deadline (ms or phases). Default 60000 ms for each phase and the total. */
  readonly timeoutMs?: number | Timeouts;
  /** @deprecated Use `timeoutMs` (same value, in ms). */
  readonly timeout?: number | Timeouts;
  /** How long to wait for a TCP/TLS connection, in ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** @deprecated Use `connectTimeoutMs` (same value, in ms). */
  readonly connectTimeout?: number;
  /** The most keep-alive connections per origin. Default: no limit (as undici). */
  readonly connections?: number;
  /** Idle time after which a pooled connection is closed, in ms. Default 4000 (shorter than Node's 5 s server default). */
  readonly keepAliveTimeoutMs?: number;
  /** @deprecated Use `keepAliveTimeoutMs` (same value, in ms). */
  readonly keepAliveTimeout?: number;
  /** The largest response body accepted, in bytes. Default 50 MiB; `-1` for no limit. */
  readonly maxResponseSize?: number;
  /** Redirects followed per call; 0 turns following off. Default 5. */
  readonly maxRedirects?: number;
  /** Retry behaviour; `false` turns retries off. */
  readonly retry?: RetryOptions | false;
}

/** Options of one call; the last argument of a verb when it is a plain object. */
export interface RequestOptions {
  /** Return `result[key]` from a JSON object (see the response rules in docs/client.md). */
  readonly key?: string | null;
  /** The seed's name for `key`; `key` wins when both are given. */
  readonly responseKey?: string | null;
  /** Merged over the endpoint's own query key by key; arrays repeat the key; `null` removes a key. */
  readonly query?: QueryObject | string;
  /** Keep blank values in a string `query`; defaults to the client's setting. */
  readonly keepBlankValues?: boolean;
  /** `;params` for the last path segment (replaces the endpoint's). */
  readonly params?: string;
  /** `#fragment` of the URL (never sent; shown in logs as the seed did). */
  readonly fragment?: string;
  /** The request body; see `contentType`. */
  readonly data?: unknown;
  /** How `data` is encoded. Default `json`. */
  readonly contentType?: ContentType;
  /** Extra request headers; CR, LF or NUL in a value is refused before anything is sent. */
  readonly headers?: HeaderValues;
  /** Deadline in ms (the total), or per phase. Default: the client's (60 s). */
  readonly timeoutMs?: number | Timeouts;
  /** @deprecated Use `timeoutMs` (same value, in ms). */
  readonly timeout?: number | Timeouts;
  /** Abort the call; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Basic or Bearer credentials (replace any user info in the endpoint). */
  readonly auth?: Auth;
  /** Sent as `Idempotency-Key`; lets a POST or PATCH be retried like an idempotent method. */
  readonly idempotencyKey?: string;
  /** Redirects followed for this call; 0 turns following off. */
  readonly maxRedirects?: number;
  /** Retry behaviour for this call; `false` turns retries off. */
  readonly retry?: RetryOptions | false;
}

/** The arguments of a verb: path parts, then optionally the call's options. */
export type VerbArguments = readonly PathPart[] | readonly [...PathPart[], RequestOptions];

/** A verb such as `client.get`: `T` is the type the caller expects back (not checked at run time). */
export type Verb = <T = unknown>(...args: VerbArguments) => Promise<T>;
