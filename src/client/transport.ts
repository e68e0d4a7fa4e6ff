/**
 * The wire under the client: one undici keep-alive `Pool` for the endpoint's origin (and, only if a redirect
 * leaves it, one `Agent` for other origins), one attempt = one `request()` whose body is read in full, and the
 * mapping of undici's failures onto the client's errors.
 */
import { Agent, type Dispatcher, Pool } from 'undici';
import type { AbortEmitter } from './abort.js';
import {
  ConnectionError,
  InvalidRequestError,
  ResponseTooLargeError,
  TimeoutError,
  type TimeoutPhase,
} from './errors.js';
import type { HeaderMap } from './headers.js';

/** Settings of the connection pools. */
export interface TransportSettings {
  readonly connectTimeout: number;
  readonly connections: number | undefined;
  readonly keepAliveTimeout: number;
  readonly maxResponseSize: number;
}

/** One attempt, as sent. */
export interface Attempt {
  readonly origin: string;
  readonly target: string;
  readonly method: string;
  readonly headers: HeaderMap;
  readonly body: string | Uint8Array | undefined;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  /** An AbortSignal or, cheaper, an EventEmitter that emits `abort` (undici takes both). */
  readonly signal: AbortSignal | AbortEmitter;
}

/** A complete response: status, headers and the whole body as text. */
export interface RawResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** A response whose body has not been read yet (so a redirect or a retry can discard it cheaply). */
export interface OpenResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Dispatcher.ResponseData['body'];
}

/**
 * Owns the client's connections.
 * @example const transport = new Transport('http://127.0.0.1:5000', settings); await transport.close();
 */
export class Transport {
  readonly #pool: Pool;
  #agent: Agent | undefined;

  readonly #settings: TransportSettings;

  readonly #origin: string;

  constructor(origin: string, settings: TransportSettings) {
    this.#settings = settings;
    this.#origin = origin;
    this.#pool = new Pool(origin, this.#dispatcherOptions());
  }

  #dispatcherOptions(): Pool.Options {
    return {
      connect: { timeout: this.#settings.connectTimeout },
      keepAliveTimeout: this.#settings.keepAliveTimeout,
      maxResponseSize: this.#settings.maxResponseSize,
      ...(this.#settings.connections === undefined ? {} : { connections: this.#settings.connections }),
    };
  }

  #dispatcherFor(origin: string): Dispatcher {
    if (origin === this.#origin) return this.#pool;
    this.#agent ??= new Agent(this.#dispatcherOptions());
    return this.#agent;
  }

  /** Sends one attempt and resolves once the headers are in. */
  open(attempt: Attempt): Promise<OpenResponse> {
    return this.#dispatcherFor(attempt.origin).request({
      origin: attempt.origin,
      path: attempt.target,
      method: attempt.method as Dispatcher.HttpMethod,
      headers: attempt.headers,
      body: attempt.body ?? null,
      headersTimeout: attempt.headersTimeout,
      bodyTimeout: attempt.bodyTimeout,
      signal: attempt.signal,
    });
  }

  /** Closes every pooled connection; in-flight calls finish first. */
  async close(): Promise<void> {
    await Promise.all([this.#pool.close(), this.#agent?.close()]);
  }
}

/**
 * Reads a whole body as text. undici enforces `maxResponseSize` while reading; a declared Content-Length above
 * it is refused before reading anything.
 * @example const text = await readText(response, 1024 * 1024, 'http://h/');
 */
export async function readText(response: OpenResponse, maxResponseSize: number, url: string): Promise<RawResponse> {
  const declared = response.headers['content-length'];
  if (maxResponseSize >= 0 && typeof declared === 'string' && Number(declared) > maxResponseSize) {
    response.body.destroy();
    throw new ResponseTooLargeError(url, maxResponseSize);
  }
  const text = await response.body.text();
  return { statusCode: response.statusCode, headers: response.headers, text };
}

/** Throws away a body that will not be used, without letting a failure surface. */
export function discard(response: OpenResponse): void {
  response.body.dump().catch(() => undefined);
}

function undiciCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What the caller's deadline settings were, to name the one that ran out. */
export interface DeadlineInfo {
  readonly url: string;
  readonly total: number;
  readonly headers: number;
  readonly body: number;
  readonly connect: number;
  readonly maxResponseSize: number;
  /** Which of the call's own deadlines fired, if one did (rather than the caller's signal). */
  readonly expired: TimeoutPhase | undefined;
}

/**
 * Turns an undici or socket failure into the client's error. A caller's abort is passed through unchanged.
 * @example throw toClientError(error, info, callerSignal);
 */
export function toClientError(error: unknown, info: DeadlineInfo, callerSignal: AbortSignal | undefined): unknown {
  if (callerSignal?.aborted) return callerSignal.reason;
  if (info.expired === 'total') return new TimeoutError('total', info.total, info.url, error);
  if (info.expired === 'headers') return new TimeoutError('headers', info.headers, info.url, error);
  switch (undiciCode(error)) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new TimeoutError('headers', info.headers, info.url, error);
    case 'UND_ERR_BODY_TIMEOUT':
      return new TimeoutError('body', info.body, info.url, error);
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new TimeoutError('connect', info.connect, info.url, error);
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return new ResponseTooLargeError(info.url, info.maxResponseSize, error);
    case 'UND_ERR_INVALID_ARG':
      return new InvalidRequestError(error instanceof Error ? error.message : String(error));
    default:
      return new ConnectionError(info.url, error);
  }
}
