/**
 * The HTTP client: `new Client(endpoint)`, then `client.get(...parts, options)` and the other verbs, each giving
 * the JSON result (or `result[key]`) by the seed's rules. See docs/client.md.
 */
import { DEFAULT_MAX_JSON_DEPTH } from '../internal/json.js';
import { contextLogger, getLogger, type InstanceLogger, type Logger } from '../logging.js';
import { startClientCall } from '../ops/tracing/index.js';
import { maskPassword } from '../secrets.js';
import { encodeBody } from './body.js';
import { InvalidRequestError } from './errors.js';
import { assertMethod, assertNoInjection, authorization, type HeaderMap, mergeHeaders } from './headers.js';
import { checkTimeout, checkWhole, type ResolvedTimeouts, resolveTimeouts } from './option-checks.js';
import type { ClientOptions, RequestOptions, VerbArguments } from './options.js';
import { durationOption, givenName } from './renamed-options.js';
import { Resource } from './resource.js';
import { handleResponse, pythonTuple, type ResponseRules } from './response.js';
import { isReplayable, type RetryPolicy, retryPolicy } from './retry.js';
import { sendRequest } from './send.js';
import { type RawResponse, Transport } from './transport.js';
import {
  buildResource,
  type ParsedEndpoint,
  type PathPart,
  parseEndpoint,
  UrlBuilder,
  type UrlOptions,
} from './url.js';
import { type DynamicVerbs, installVerbs, type TypedVerbs } from './verbs.js';

const NO_PARTS: readonly PathPart[] = [];
const DEFAULT_TIMEOUT = 60_000;
const KNOWN_CONTENT_TYPES = new Set(['json', 'form', 'multipart', 'body']);

/** Splits a verb's arguments into path parts and the trailing options object (if the last one is an object). */
function splitArguments(args: readonly unknown[]): { parts: readonly PathPart[]; options: RequestOptions | undefined } {
  if (args.length === 0) return { parts: NO_PARTS, options: undefined };
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
  const parts = (hasOptions ? args.slice(0, -1) : args) as readonly PathPart[];
  for (const part of parts) {
    if (typeof part !== 'string' && typeof part !== 'number') {
      throw new InvalidRequestError(`A path part must be a string or a number, not ${typeof part}`);
    }
  }
  return { parts, options: hasOptions ? (last as RequestOptions) : undefined };
}

/** Asks a pino-like logger whether a level is on, so that disabled lines cost no string building. */
function levelCheck(logger: Logger): (level: 'debug' | 'info') => boolean {
  const withCheck = logger as Logger & { isLevelEnabled?: (level: string) => boolean };
  if (typeof withCheck.isLevelEnabled !== 'function') return () => true;
  return (level) => withCheck.isLevelEnabled?.(level) ?? true;
}

function joinResource(prefix: string, rest: string): string {
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return prefix.endsWith('/') ? `${prefix}${rest}` : `${prefix}/${rest}`;
}

/**
 * An HTTP client for one endpoint (the seed's `microservices.http.client.Client`). Use {@link Client} to create
 * one; extend `BaseClient` to override `handleResponse` (a subclass of `Client` would have to fit its verb
 * index signature).
 * @example
 * const client = new Client('http://localhost:5000/');
 * await client.get({ key: 'response' });                 // 'POST something for hello'
 * await client.resource('second').post('one', 2, { data: { test: 'tested' } });
 * await client.close();
 */
class ClientCore {
  /** `scheme://user:password@host:port` of the endpoint (the seed's `client.endpoint`). */
  readonly endpoint: string;
  /** The endpoint's base path without a trailing slash (the seed's `client.path`). */
  readonly path: string;
  /** The endpoint's own query, key to values. */
  readonly query: ReadonlyMap<string, readonly string[]>;
  /** The endpoint's `;params`. */
  readonly params: string;
  /** The endpoint's `#fragment`. */
  readonly fragment: string;
  readonly okStatuses: readonly number[];
  readonly toNoneStatuses: readonly number[];
  readonly noContentStatuses: readonly number[];
  readonly emptyToNone: boolean;
  readonly closeSlash: boolean;
  readonly keepBlankValues: boolean;
  /** `<client: ENDPOINT>` with the password masked, unless a name was given. */
  readonly name: string;
  /** The client's logger: lines carry the client's name as `client` (a string-only logger gets it as a prefix). */
  readonly logger: InstanceLogger;

  readonly #parsed: ParsedEndpoint;
  readonly #urls: UrlBuilder;
  readonly #rules: ResponseRules;
  readonly #transport: Transport;
  readonly #headers: HeaderMap;
  readonly #timeouts: ResolvedTimeouts;
  readonly #retry: RetryPolicy;
  readonly #maxRedirects: number;
  readonly #limits: { readonly connectTimeout: number; readonly maxResponseSize: number };
  readonly #levelEnabled: (level: 'debug' | 'info') => boolean;
  readonly #tracing: boolean;

  constructor(endpoint: string, options: ClientOptions = {}) {
    const keepBlankValues = options.keepBlankValues ?? true;
    this.#parsed = parseEndpoint(endpoint, keepBlankValues);
    this.endpoint = this.#parsed.endpoint;
    this.path = this.#parsed.path;
    this.query = this.#parsed.query;
    this.params = this.#parsed.params;
    this.fragment = this.#parsed.fragment;
    this.okStatuses = Object.freeze([...(options.okStatuses ?? [200, 201, 202])]);
    this.toNoneStatuses = Object.freeze([...(options.toNoneStatuses ?? [404])]);
    this.noContentStatuses = Object.freeze([...(options.noContentStatuses ?? [204, 205, 304])]);
    this.emptyToNone = options.emptyToNone ?? true;
    this.closeSlash = options.closeSlash ?? true;
    this.keepBlankValues = keepBlankValues;
    this.name = options.name ?? `<client: ${maskPassword(endpoint)}>`;
    const logger = options.logger ?? getLogger('microservices.http.client');
    this.logger = contextLogger(logger, { client: this.name }, this);
    this.#levelEnabled = levelCheck(logger);
    this.#tracing = options.tracing !== false;
    this.#urls = new UrlBuilder(this.#parsed, this.closeSlash, keepBlankValues);
    this.#rules = {
      okStatuses: new Set(this.okStatuses),
      toNoneStatuses: new Set(this.toNoneStatuses),
      okStatusesText: pythonTuple(this.okStatuses),
      emptyToNone: this.emptyToNone,
      noContentStatuses: new Set(this.noContentStatuses),
      maxJsonDepth: checkWhole(options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH, 'maxJsonDepth', 1),
    };
    const defaultTimeout = { total: DEFAULT_TIMEOUT, headers: DEFAULT_TIMEOUT, body: DEFAULT_TIMEOUT };
    this.#timeouts = resolveTimeouts(durationOption(options, 'timeoutMs'), defaultTimeout);
    this.#retry = retryPolicy(options.retry);
    this.#maxRedirects = checkWhole(options.maxRedirects ?? 5, 'maxRedirects', 0);
    this.#limits = {
      connectTimeout: checkTimeout(
        durationOption(options, 'connectTimeoutMs') ?? 10_000,
        givenName(options, 'connectTimeoutMs'),
      ),
      maxResponseSize: checkWhole(options.maxResponseSize ?? 50 * 1024 * 1024, 'maxResponseSize', -1),
    };
    this.#headers = mergeHeaders({}, options.headers);
    const credentials = this.#parsed.credentials;
    if (credentials && this.#headers.authorization === undefined)
      this.#headers.authorization = authorization(credentials);
    this.#transport = new Transport(this.#parsed.origin, {
      ...this.#limits,
      connections: options.connections === undefined ? undefined : checkWhole(options.connections, 'connections', 1),
      keepAliveTimeout: checkTimeout(
        durationOption(options, 'keepAliveTimeoutMs') ?? 4_000,
        givenName(options, 'keepAliveTimeoutMs'),
      ),
    });
  }

  /** `<client: ENDPOINT>`, as the seed's `str(client)`. */
  toString(): string {
    return this.name;
  }

  /**
   * The full URL a call with these parts and options would request (the seed's `url_for`).
   * @example new Client('http://h/api?token=abc&x=').urlFor([], { query: { q: 1 } }); // 'http://h/api/?token=abc&x=&q=1'
   */
  urlFor(parts: readonly PathPart[] = NO_PARTS, options?: UrlOptions): string {
    return this.#urls.build(parts, options).url;
  }

  /** A path prefix with the same verbs: `client.resource('second').get('test')`. */
  resource(...parts: readonly PathPart[]): Resource {
    return new Resource(this, parts);
  }

  /** Sends any method: `client.request('PURGE', 'cache', { key: 'done' })`. */
  request<T = unknown>(method: string, ...args: VerbArguments): Promise<T> {
    return this.sendUnder<T>(method.toUpperCase(), '', args);
  }

  /** @internal What the installed verbs call. */
  sendVerb(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.sendUnder(method, '', args);
  }

  /** Closes the connection pool. Calls in flight finish first; later calls fail. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  /**
   * Sends `method` to `prefix` (an encoded resource path) plus the parts in `args`. Used by verbs and resources.
   * @internal
   */
  async sendUnder<T>(method: string, prefix: string, args: readonly unknown[]): Promise<T> {
    const { parts, options } = splitArguments(args);
    assertMethod(method);
    const timeouts = resolveTimeouts(durationOption(options, 'timeoutMs'), this.#timeouts);
    if (options?.params) assertNoInjection(options.params, 'params');
    if (options?.fragment) assertNoInjection(options.fragment, 'fragment');
    const resource = joinResource(prefix, buildResource(parts));
    const url = this.#urls.build(parts, options, resource);
    if (this.#levelEnabled('debug')) this.logger.debug(`Resource: ${resource}, URL: ${url.logUrl}`);
    if (this.#levelEnabled('debug')) this.logger.debug(`Request ${method} for ${url.logUrl}`);
    const { headers, body } = await this.#prepare(options);
    const call = startClientCall(method, url.logUrl, headers, this.#tracing);
    const raw = await sendRequest(
      this.#transport,
      {
        origin: this.#parsed.origin,
        target: url.target,
        method,
        headers: call.headers,
        body,
        logUrl: url.logUrl,
        signal: options?.signal,
        totalTimeout: timeouts.total,
        headersTimeout: timeouts.headers,
        bodyTimeout: timeouts.body,
        retry: options?.retry === undefined ? this.#retry : retryPolicy(options.retry, this.#retry),
        replayable: isReplayable(method, options?.idempotencyKey),
        maxRedirects:
          options?.maxRedirects === undefined
            ? this.#maxRedirects
            : checkWhole(options.maxRedirects, 'maxRedirects', 0),
      },
      this.#limits,
      this.logger,
    ).then(call.done, call.fail);
    const key = options?.key ?? options?.responseKey ?? undefined;
    return this.handleResponse(raw, key, url.logUrl) as T;
  }

  /**
   * Turns a complete response into the call's result (the seed's `handle_response`). Override it in a subclass
   * to change the rules; throw `ResponseError` to refuse a response.
   */
  protected handleResponse(response: RawResponse, key: string | undefined, url: string): unknown {
    return handleResponse(response, key, this.#rules, url);
  }

  /** Headers and body of one call; the client's own header map is reused untouched when nothing is added. */
  async #prepare(
    options: RequestOptions | undefined,
  ): Promise<{ headers: HeaderMap; body: string | Uint8Array | undefined }> {
    if (!options) return { headers: this.#headers, body: undefined };
    const contentType = options.contentType ?? 'json';
    const pending = encodeBody(options.data, contentType);
    const encoded = pending instanceof Promise ? await pending : pending;
    if (encoded === undefined && options.data !== undefined && options.data !== null) {
      this.logger.warn(
        `contentType ${JSON.stringify(contentType)} is not one of json, form, multipart, body: data dropped`,
      );
    }
    if (!options.headers && !options.auth && !options.idempotencyKey && !encoded?.contentType) {
      return { headers: this.#headers, body: encoded?.body };
    }
    const headers = mergeHeaders({ ...this.#headers }, options.headers);
    if (encoded?.contentType && headers['content-type'] === undefined) headers['content-type'] = encoded.contentType;
    if (options.auth) headers.authorization = authorization(options.auth);
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (typeof contentType === 'string' && !KNOWN_CONTENT_TYPES.has(contentType) && encoded?.contentType) {
      assertNoInjection(encoded.contentType, 'contentType');
    }
    return { headers, body: encoded?.body };
  }
}
installVerbs(ClientCore);

/** A client with its typed verbs: what to extend to override `handleResponse`. */
export type BaseClient = ClientCore & TypedVerbs;

/**
 * The client class without the index signature of dynamic verbs, for subclassing (instances still have them).
 * @example
 * class StatusClient extends BaseClient {
 *   protected override handleResponse(response: RawResponse): unknown { return response.statusCode; }
 * }
 */
export const BaseClient = ClientCore as unknown as {
  new (endpoint: string, options?: ClientOptions): BaseClient;
  readonly prototype: BaseClient;
};

/** A client: the typed verbs plus any other verb by name (`client.purge()` sends PURGE). */
export type Client = BaseClient & DynamicVerbs;

/** The constructor type of {@link Client}. */
export interface ClientConstructor {
  new (endpoint: string, options?: ClientOptions): Client;
  readonly prototype: BaseClient;
}

/**
 * The HTTP client class. See {@link BaseClient} for its members.
 * @example
 * const client = new Client('http://localhost:5000/', { okStatuses: [200], timeout: 5_000 });
 * const notes = await client.get<string[]>('notes', { key: 'response' });
 */
export const Client = BaseClient as unknown as ClientConstructor;
