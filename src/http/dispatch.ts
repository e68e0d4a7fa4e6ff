/**
 * One request, start to finish, as one `RequestContext` with named stages: route (`routeTo` when Fastify
 * matched a rule, `lookUp` when it did not), `prepare` (body, form override, 405/415), `run` (406, the
 * handler), `finish` (the result) and `fail` (any error). The context carries everything a stage needs, so the
 * stages take no positional state, and the synchronous path (a GET to a synchronous handler) allocates no
 * closure: asynchronous steps are `async` methods.
 */

import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logWith } from '../logging/fields.js';
import type { Logger } from '../logging.js';
import { APIException, NotAcceptable, ParseError, UnsupportedMediaType } from './errors.js';
import { requestOrigin } from './hosts.js';
import { JSON_ENCODE_FAILED, JsonEncodeError, type ProtoPoisoning } from './json.js';
import { parseMediaType } from './media-type.js';
import { type Negotiated, negotiate } from './negotiation.js';
import { assertSameOrigin, type FormOverride, formOverride } from './override.js';
import { type FormLimits, type ParsedBody, parseBody, parseBodyEager } from './parsing.js';
import { HttpReply } from './reply.js';
import type { RequestInit, UrlForOptions } from './request.js';
import { ServiceRequest } from './request.js';
import type { UrlContext } from './resources.js';
import { type ErrorToShow, type ResponseTarget, type ServiceView, sendError, sendRendered } from './respond.js';
import { type RouteEntry, type RouteGroup, type RouteMatch, Router } from './router.js';
import type { Params } from './rule-matcher.js';
import { serveStaticAsset } from './static-assets.js';

/** What the dispatcher needs from the service. */
export interface DispatchService extends ServiceView {
  readonly router: Router;
  readonly maxJsonDepth: number;
  readonly protoPoisoning: ProtoPoisoning;
  readonly formLimits: FormLimits;
  readonly logger: Logger;
  urlFor(endpoint: string, params: Readonly<Record<string, unknown>>, options: UrlForOptions, origin: string): string;
}

type Routed = Exclude<RouteMatch, { kind: 'not-found' }>;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const NOT_FOUND_MESSAGE = 'The requested URL was not found on the server.';
const NOT_ALLOWED_MESSAGE = 'The method is not allowed for the requested URL.';
/** Shared by every plain result, so a handler's data costs no header object. Never written to. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NO_PARAMS: Params = Object.freeze({}) as Params;
/** The request data before a body is parsed (the envelope shows none). */
const NO_DATA: unknown = Object.freeze({});

function formatParam(queryString: string): string | undefined {
  if (!queryString.includes('format=')) return undefined;
  return new URLSearchParams(queryString).get('format') ?? undefined;
}

function isStream(value: unknown): value is NodeJS.ReadableStream {
  return typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function';
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Whether a handler's value is ordinary data (a primitive, an array, or a plain object that is not stream-like),
 * which can skip the checks for a Response, a reply(...), a stream and bytes.
 */
function isOrdinaryData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype;
  return Object.getPrototypeOf(value) === Object.prototype && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

/**
 * The body of a request that has none. Its objects are made when first read: most handlers of a GET never
 * read them, and each request still gets its own (a handler may write to `req.data`).
 */
class NoBody implements ParsedBody {
  #data: Record<string, unknown> | undefined;
  #form: Record<string, string> | undefined;
  #files: ParsedBody['files'] | undefined;
  readonly mediaType = '';

  get data(): unknown {
    this.#data ??= {};
    return this.#data;
  }

  get form(): Record<string, string> {
    this.#form ??= {};
    return this.#form;
  }

  get files(): ParsedBody['files'] {
    this.#files ??= {};
    return this.#files;
  }
}

/** The media type essence of the request body (`''` when the header is missing or malformed). */
function bodyEssence(request: FastifyRequest): string {
  return parseMediaType(request.headers['content-type'] ?? '')?.essence ?? '';
}

/**
 * The state of one request and the stages it goes through. It is also what the handler's `ServiceRequest` is
 * built from (`RequestInit`), so that costs no intermediate object.
 */
export class RequestContext implements ResponseTarget, UrlContext, RequestInit<Params> {
  readonly service: DispatchService;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** The routed method: the request's, or the one a form override asked for. */
  method: string;
  /** The raw (percent-encoded) path, without the query. */
  readonly path: string;
  readonly queryString: string;
  readonly fullPath: string;
  negotiated: Negotiated | undefined;
  group: RouteGroup | undefined = undefined;
  entry: RouteEntry | undefined = undefined;
  /** The fields of an overriding page form, shown again on the page after an error. */
  submittedForm: Readonly<Record<string, string>> | undefined = undefined;
  #params: Params = NO_PARAMS;
  #body: ParsedBody | undefined = undefined;
  #origin: string | undefined = undefined;

  constructor(service: DispatchService, request: FastifyRequest, reply: FastifyReply) {
    this.service = service;
    this.request = request;
    this.reply = reply;
    const url = request.url;
    const q = url.indexOf('?');
    this.path = q < 0 ? url : url.slice(0, q);
    this.queryString = q < 0 ? '' : url.slice(q + 1);
    this.fullPath = this.queryString ? url : this.path;
    this.method = request.method;
    this.negotiated = negotiate(request.headers.accept, formatParam(this.queryString));
  }

  /** `scheme://host[:port]`, worked out when first needed (absolute URLs, the page, a form override). */
  get origin(): string {
    this.#origin ??= requestOrigin(this.request);
    return this.#origin;
  }

  /** The parsed request body (`req.data`); the envelope's `request` key shows it. */
  get requestData(): unknown {
    return this.#body === undefined ? NO_DATA : this.#body.data;
  }

  get urlContext(): UrlContext {
    return this;
  }

  // What `ServiceRequest` reads (`RequestInit`), once the route is settled.

  get params(): Params {
    return this.#params;
  }

  get body(): ParsedBody {
    this.#body ??= new NoBody();
    return this.#body;
  }

  get rule(): string {
    return this.group?.rule.rule ?? '';
  }

  get endpoint(): string {
    return this.entry?.endpoint ?? '';
  }

  get urls(): UrlContext {
    return this;
  }

  /** `urlFor` with this request's origin (for `external` URLs and the resources listing). */
  urlFor(endpoint: string, params: Readonly<Record<string, unknown>> = {}, options: UrlForOptions = {}): string {
    return this.service.urlFor(endpoint, params, options, this.origin);
  }

  // Stage 1: routing.

  /**
   * Fastify's router picked `group`'s route. Its own matcher confirms the path and converts the parameters;
   * when it refuses (a converter, a prefix-only route) or an earlier rule could also match, the table decides.
   */
  routeTo(group: RouteGroup): Promise<void> | undefined {
    if (!group.contested) {
      const params = group.rule.match(this.path);
      if (params !== undefined) {
        const entry = Router.entryFor(group, this.method);
        if (entry !== undefined || this.method === 'OPTIONS') {
          return this.#prepare({ kind: 'found', group, params, entry });
        }
      }
    }
    return this.lookUp();
  }

  /** Routes with the service's own table: 404, the 308 slash redirect, 405, or the matching rule. */
  lookUp(): Promise<void> | undefined {
    const { router } = this.service;
    const match = router.find(this.path, this.method);
    if (match.kind === 'not-found') {
      this.#notFound();
      return undefined;
    }
    // Only a POST form can change its method, so only then is a 405 decided after reading the body.
    if (match.kind === 'method-not-allowed' && !this.#mayOverride()) {
      this.#methodNotAllowed(match.allowed);
      return undefined;
    }
    return this.#prepare(match);
  }

  /** Serves a page asset, or routes like any other path when there is no such asset. */
  staticAsset(): Promise<void> | undefined {
    if (serveStaticAsset(this.request, this.reply, this.path)) return undefined;
    return this.lookUp();
  }

  /**
   * Before the body is read (a route's preParsing hook): answers 415 when the route refuses the body's media
   * type and no form override can change the route. True when it answered.
   */
  refuseBody(group: RouteGroup): boolean {
    if (this.#mayOverride() || group.contested || group.rule.match(this.path) === undefined) return false;
    const accepted = Router.entryFor(group, this.method)?.contentTypes;
    if (accepted === undefined || accepted.includes(bodyEssence(this.request))) return false;
    this.group = group;
    this.fail(new UnsupportedMediaType());
    return true;
  }

  /**
   * Before the body of a request no route took is read (the not-found handler's preParsing hook): answers the
   * 404, the 308 redirect or the 405 at once when the body cannot change the outcome. True when it answered.
   */
  answerUnrouted(): boolean {
    const match = this.service.router.find(this.path, this.method);
    if (match.kind === 'not-found') this.#notFound();
    else if (match.kind === 'method-not-allowed' && !this.#mayOverride()) this.#methodNotAllowed(match.allowed);
    else return false;
    return true;
  }

  #mayOverride(): boolean {
    return this.method === 'POST' && (this.request.headers['content-type'] ?? '').includes('form');
  }

  #notFound(): void {
    const { path, queryString } = this;
    // `//host` or `/\host` would make the Location header point at another site (an open redirect).
    const redirectable = !path.endsWith('/') && !/^\/[/\\]/.test(path);
    if (redirectable && this.service.router.find(`${path}/`, this.method).kind !== 'not-found') {
      this.reply.code(308).header('location', `${path}/${queryString ? `?${queryString}` : ''}`);
      this.reply.header('x-content-type-options', 'nosniff').send();
      return;
    }
    this.#showError({ status: 404, statusText: 'Not Found', message: NOT_FOUND_MESSAGE }, false);
  }

  #methodNotAllowed(allowed: readonly string[]): void {
    const headers = { allow: allowed.join(', ') };
    this.#showError({ status: 405, statusText: 'Method Not Allowed', message: NOT_ALLOWED_MESSAGE, headers }, false);
  }

  // Stage 2: the body and the final route.

  /** Reads the body when there is one (asynchronously), else settles at once: a GET stays synchronous. */
  #prepare(first: Routed): Promise<void> | undefined {
    this.group = first.group;
    if (Buffer.isBuffer(this.request.body)) return this.#prepareWithBody(first);
    try {
      // No body: its empty objects are made only if the handler reads them (the `body` getter).
      if (this.#settle(first, undefined)) return this.#run();
    } catch (error) {
      this.fail(error);
    }
    return undefined;
  }

  /**
   * Reads the body: synchronously for JSON and urlencoded bodies (a synchronous handler then answers within
   * the same turn, as a GET does), with a Promise for multipart bodies and form overrides.
   */
  #prepareWithBody(first: Routed): Promise<void> | undefined {
    let body: ParsedBody | Promise<ParsedBody>;
    try {
      body = this.#readBody(first);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    if (body instanceof Promise) {
      return body.then(
        (settled) => this.#withBody(first, settled),
        (error: unknown) => this.fail(error),
      );
    }
    return this.#withBody(first, body);
  }

  #withBody(first: Routed, body: ParsedBody): Promise<void> | undefined {
    try {
      const override = formOverride(this.method, body);
      if (override) return this.#overridden(first, body, override);
      if (this.#settle(first, body)) return this.#run();
    } catch (error) {
      this.fail(error);
    }
    return undefined;
  }

  async #overridden(first: Routed, parsed: ParsedBody, override: FormOverride): Promise<void> {
    try {
      let match: RouteMatch = first;
      let body = parsed;
      assertSameOrigin(this.request.headers, this.origin);
      this.submittedForm = body.form;
      if (override.content) {
        body = await parseBody(override.content.body, override.content.contentType, {
          ...this.#parseOptions(),
          emptyJsonIsError: false,
        });
      }
      if (override.method) {
        this.method = override.method;
        match = this.service.router.find(this.path, override.method);
      }
      if (this.#settle(match, body)) await this.#run();
    } catch (error) {
      this.fail(error);
    }
  }

  #parseOptions() {
    const { maxJsonDepth, protoPoisoning, formLimits } = this.service;
    return { maxJsonDepth, protoPoisoning, formLimits, emptyJsonIsError: BODY_METHODS.has(this.method) };
  }

  #readBody(first: Routed): ParsedBody | Promise<ParsedBody> {
    const raw = this.request.body as Buffer;
    const encoding = this.request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity' && raw.length > 0) {
      throw new UnsupportedMediaType(`Unsupported Content-Encoding "${encoding}"; send the body uncompressed.`);
    }
    const refine = (error: unknown): never => {
      // On a route that does not take this media type at all, the type is the problem, not the content.
      const accepted = first.kind === 'found' ? first.entry?.contentTypes : undefined;
      if (accepted && error instanceof ParseError && !accepted.includes(bodyEssence(this.request))) {
        throw new UnsupportedMediaType();
      }
      throw error;
    };
    try {
      const parsed = parseBodyEager(raw, this.request.headers['content-type'], this.#parseOptions());
      return parsed instanceof Promise ? parsed.catch(refine) : parsed;
    } catch (error) {
      return refine(error);
    }
  }

  /** Checks the final route and body (`undefined`: none) and records them; false when a 405 was sent instead. */
  #settle(match: RouteMatch, body: ParsedBody | undefined): boolean {
    if (match.kind !== 'found') {
      this.#methodNotAllowed(match.kind === 'method-not-allowed' ? match.allowed : []);
      return false;
    }
    const accepted = match.entry?.contentTypes;
    if (accepted && body !== undefined && body.mediaType !== '' && !accepted.includes(body.mediaType)) {
      throw new UnsupportedMediaType();
    }
    this.group = match.group;
    this.entry = match.entry;
    this.#params = match.params;
    this.#body = body;
    return true;
  }

  // Stage 3: the handler.

  /** 406 when nothing acceptable can be produced, the automatic OPTIONS, else the handler. */
  #run(): Promise<void> | undefined {
    if (this.negotiated === undefined) throw new NotAcceptable();
    const { entry, group, reply } = this;
    if (group === undefined) return undefined;
    if (entry === undefined) {
      reply.code(204).header('allow', group.allowHeader).header('x-content-type-options', 'nosniff').send();
      return undefined;
    }
    const serviceRequest = new ServiceRequest(this);
    const result = (entry.handler as (request: ServiceRequest<unknown>) => unknown)(serviceRequest);
    if (isThenable(result)) return this.#finishLater(result);
    this.#finish(result);
    return undefined;
  }

  async #finishLater(pending: PromiseLike<unknown>): Promise<void> {
    try {
      this.#finish(await pending);
    } catch (error) {
      this.fail(error);
    }
  }

  // Stage 4: the response.

  /** Sends what the handler returned (or explains a missing value). */
  #finish(result: unknown): void {
    if (this.reply.sent) return;
    if (result === undefined) {
      const why = `The handler of endpoint "${this.entry?.endpoint}" (${this.group?.rule.rule}) returned undefined; return data, null or reply(...)`;
      this.service.logger.error(why);
      const message = this.service.debug ? why : 'Internal Server Error';
      this.#showError({ status: 500, statusText: 'Internal Server Error', message }, false);
      return;
    }
    if (isOrdinaryData(result)) {
      sendRendered(this, result, 200, 'OK', NO_HEADERS);
      return;
    }
    if (result instanceof Response) {
      this.reply.send(result);
      return;
    }
    let data = result;
    let status = 200;
    let text = 'OK';
    let headers: Readonly<Record<string, string>> = NO_HEADERS;
    if (result instanceof HttpReply) {
      data = result.body;
      status = result.status;
      text = result.statusText;
      headers = { ...result.headers };
    }
    if (isStream(data) || Buffer.isBuffer(data) || data instanceof Uint8Array) {
      this.#sendRaw(data, status, text, headers);
      return;
    }
    sendRendered(this, data, status, text, headers);
  }

  #sendRaw(body: unknown, status: number, text: string, headers: Readonly<Record<string, string>>): void {
    const { reply } = this;
    reply.code(status);
    reply.raw.statusMessage = text;
    reply.header('x-content-type-options', 'nosniff');
    for (const name of Object.keys(headers)) reply.header(name, headers[name]);
    if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/octet-stream');
    reply.send(body);
  }

  #showError(error: ErrorToShow, asPage: boolean): void {
    sendError(this, error, asPage);
  }

  /** Sends the response for a failure; a failure while doing so falls back to plain JSON without the route. */
  fail(error: unknown): void {
    try {
      this.#sendFailure(error);
    } catch (second) {
      this.group = undefined;
      this.negotiated = undefined;
      this.#sendFailure(second);
    }
  }

  #sendFailure(error: unknown): void {
    if (this.reply.sent) return;
    if (error instanceof APIException) {
      const { statusCode } = error;
      const statusText = STATUS_CODES[statusCode] ?? 'Unknown';
      this.#showError({ status: statusCode, statusText, message: error.detail, headers: error.headers }, true);
      return;
    }
    const where = `${this.path} [${this.method}]`;
    if (error instanceof JsonEncodeError) {
      this.service.logger.error(`${error.message} on ${where}`);
      this.group = undefined;
      this.#showError(
        { status: 500, statusText: 'Internal Server Error', message: JSON_ENCODE_FAILED, detail: error.detail },
        true,
      );
      return;
    }
    const stack = error instanceof Error ? error.stack : String(error);
    logWith(this.service.logger, 'error', { err: error, method: this.method, url: this.path }, `Exception on ${where}`);
    const message = 'Internal Server Error';
    this.#showError({ status: 500, statusText: 'Internal Server Error', message, detail: stack }, false);
  }

  /**
   * An error Fastify raised outside a handler (body too large, bad URL, a plugin's error): rendered like the
   * service's own 404 and 405, without the rule's envelope.
   */
  showFrameworkError(error: ErrorToShow): void {
    this.#showError(error, false);
  }
}
