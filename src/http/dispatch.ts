/**
 * One request, start to finish: static assets, routing (404, 308 slash redirect, 405), body parsing, the form
 * override, negotiation (406), the handler, and turning its result or error into a response.
 */

import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging.js';
import { APIException, NotAcceptable, ParseError, UnsupportedMediaType } from './errors.js';
import { requestOrigin } from './hosts.js';
import { JSON_ENCODE_FAILED, JsonEncodeError, type ProtoPoisoning } from './json.js';
import { parseMediaType } from './media-type.js';
import { negotiate } from './negotiation.js';
import { assertSameOrigin, formOverride } from './override.js';
import { emptyBody, type ParsedBody, parseBody } from './parsing.js';
import { HttpReply } from './reply.js';
import type { UrlForOptions } from './request.js';
import { ServiceRequest } from './request.js';
import type { UrlContext } from './resources.js';
import { type ResponseTarget, type ServiceView, sendError, sendRendered } from './respond.js';
import type { RouteMatch, Router } from './router.js';
import { STATIC_PREFIX, serveStaticAsset } from './static-assets.js';

/** `urlFor` bound to one request's origin; a class, so nothing is allocated per request beyond the instance. */
class RequestUrls implements UrlContext {
  constructor(
    private readonly service: DispatchService,
    private readonly origin: string,
  ) {}

  urlFor(endpoint: string, params: Readonly<Record<string, unknown>> = {}, options: UrlForOptions = {}): string {
    return this.service.urlFor(endpoint, params, options, this.origin);
  }
}

/** What the dispatcher needs from the service. */
export interface DispatchService extends ServiceView {
  readonly router: Router;
  readonly maxJsonDepth: number;
  readonly protoPoisoning: ProtoPoisoning;
  readonly logger: Logger;
  urlFor(endpoint: string, params: Readonly<Record<string, unknown>>, options: UrlForOptions, origin: string): string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function formatParam(queryString: string): string | undefined {
  if (!queryString.includes('format=')) return undefined;
  return new URLSearchParams(queryString).get('format') ?? undefined;
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

function isStream(value: unknown): value is NodeJS.ReadableStream {
  return typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function';
}

async function readBody(service: DispatchService, request: FastifyRequest, method: string): Promise<ParsedBody> {
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) return emptyBody();
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity' && raw.length > 0) {
    throw new UnsupportedMediaType(`Unsupported Content-Encoding "${encoding}"; send the body uncompressed.`);
  }
  return parseBody(raw, request.headers['content-type'], {
    maxJsonDepth: service.maxJsonDepth,
    protoPoisoning: service.protoPoisoning,
    emptyJsonIsError: BODY_METHODS.has(method),
  });
}

function sendRaw(
  target: ResponseTarget,
  body: unknown,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>>,
) {
  const { reply } = target;
  reply.code(status);
  reply.raw.statusMessage = text;
  reply.header('x-content-type-options', 'nosniff');
  for (const name of Object.keys(headers)) reply.header(name, headers[name]);
  if (!reply.hasHeader('content-type')) reply.header('content-type', 'application/octet-stream');
  reply.send(body);
}

/** Shared by every plain result, so a handler's data costs no header object. Never written to. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Whether a handler's value is ordinary data (a primitive, an array, or a plain object that is not stream-like),
 * which can skip the checks for a Response, a reply(...), a stream and bytes. The common case, decided by
 * cheap checks; everything else takes the full path below.
 */
function isOrdinaryData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype;
  return Object.getPrototypeOf(value) === Object.prototype && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

function sendResult(target: ResponseTarget, result: unknown): void {
  if (isOrdinaryData(result)) {
    sendRendered(target, result, 200, 'OK', NO_HEADERS);
    return;
  }
  if (result instanceof Response) {
    target.reply.send(result);
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
    sendRaw(target, data, status, text, headers);
    return;
  }
  sendRendered(target, data, status, text, headers);
}

function sendFailure(service: DispatchService, target: ResponseTarget, error: unknown, path: string): void {
  if (target.reply.sent) return;
  if (error instanceof APIException) {
    const { statusCode } = error;
    sendError(
      target,
      { status: statusCode, statusText: statusText(statusCode), message: error.detail, headers: error.headers },
      true,
    );
    return;
  }
  const stack = error instanceof Error ? error.stack : String(error);
  if (error instanceof JsonEncodeError) {
    service.logger.error(`${error.message} on ${path} [${target.method}]`);
    sendError(
      { ...target, group: undefined },
      { status: 500, statusText: 'Internal Server Error', message: JSON_ENCODE_FAILED, detail: error.detail },
      true,
    );
    return;
  }
  service.logger.error(`Exception on ${path} [${target.method}]: ${stack}`);
  sendError(
    target,
    { status: 500, statusText: 'Internal Server Error', message: 'Internal Server Error', detail: stack },
    false,
  );
}

type MutableTarget = { -readonly [K in keyof ResponseTarget]: ResponseTarget[K] };

/** The route and body a request ends up with once the form override (if any) is applied. */
interface Prepared {
  readonly match: Extract<RouteMatch, { kind: 'found' }>;
  readonly body: ParsedBody;
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Checks the final route and body, records them on the target; `undefined` when a 405 was sent instead. */
function settle(target: MutableTarget, match: RouteMatch, body: ParsedBody): Prepared | undefined {
  if (match.kind !== 'found') {
    methodNotAllowed(target, match.kind === 'method-not-allowed' ? match.allowed : []);
    return undefined;
  }
  const accepted = match.entry?.contentTypes;
  if (accepted && body.mediaType !== '' && !accepted.includes(body.mediaType)) throw new UnsupportedMediaType();
  target.group = match.group;
  target.entry = match.entry;
  target.requestData = body.data;
  return { match, body };
}

/** Parses the body and applies a form override (POST forms only), then settles the route. */
async function prepareWithBody(
  service: DispatchService,
  request: FastifyRequest,
  target: MutableTarget,
  path: string,
  first: Exclude<RouteMatch, { kind: 'not-found' }>,
): Promise<Prepared | undefined> {
  let match: RouteMatch = first;
  let body = await readBody(service, request, target.method).catch((error: unknown) => {
    // On a route that does not take this media type at all, the type is the problem, not the content.
    const accepted = first.kind === 'found' ? first.entry?.contentTypes : undefined;
    const essence = parseMediaType(request.headers['content-type'] ?? '')?.essence ?? '';
    if (accepted && error instanceof ParseError && !accepted.includes(essence)) throw new UnsupportedMediaType();
    throw error;
  });
  const override = formOverride(target.method, body);
  if (override) {
    assertSameOrigin(request.headers, target.origin);
    if (override.content) {
      body = await parseBody(override.content.body, override.content.contentType, {
        maxJsonDepth: service.maxJsonDepth,
        protoPoisoning: service.protoPoisoning,
        emptyJsonIsError: false,
      });
    }
    if (override.method) {
      target.method = override.method;
      match = service.router.find(path, override.method);
    }
  }
  return settle(target, match, body);
}

/**
 * The route and body to run; synchronous when there is no body (every GET), so the common case costs no
 * promise turn. Throws API exceptions (400, 403, 415) for the caller to render.
 */
function prepare(
  service: DispatchService,
  request: FastifyRequest,
  target: MutableTarget,
  path: string,
  first: Exclude<RouteMatch, { kind: 'not-found' }>,
): Prepared | undefined | Promise<Prepared | undefined> {
  if (!Buffer.isBuffer(request.body)) return settle(target, first, emptyBody());
  return prepareWithBody(service, request, target, path, first);
}

function handlerFailed(service: DispatchService, target: MutableTarget, why: string): void {
  service.logger.error(why);
  const message = service.debug ? why : 'Internal Server Error';
  sendError(target, { status: 500, statusText: 'Internal Server Error', message }, false);
}

/** Sends what the handler returned (or explains a missing value). */
function finish(service: DispatchService, target: MutableTarget, match: Prepared['match'], result: unknown): void {
  if (target.reply.sent) return;
  if (result === undefined) {
    const entry = match.entry;
    const why = `The handler of endpoint "${entry?.endpoint}" (${match.group.rule.rule}) returned undefined; return data, null or reply(...)`;
    handlerFailed(service, target, why);
    return;
  }
  sendResult(target, result);
}

/** Runs the handler and sends what it returned; synchronous for a synchronous handler. */
function invoke(
  service: DispatchService,
  request: FastifyRequest,
  target: MutableTarget,
  { match, body }: Prepared,
  path: string,
  queryString: string,
): void | Promise<void> {
  const { reply } = target;
  const entry = match.entry;
  if (entry === undefined) {
    // Automatic OPTIONS.
    reply.code(204).header('allow', match.group.allowHeader).header('x-content-type-options', 'nosniff').send();
    return;
  }
  const serviceRequest = new ServiceRequest({
    params: match.params,
    body,
    method: target.method,
    path,
    fullPath: target.fullPath,
    queryString,
    rule: match.group.rule.rule,
    endpoint: entry.endpoint,
    origin: target.origin,
    urls: target.urlContext,
    request,
    reply,
  });
  const result = (entry.handler as (request: ServiceRequest<unknown>) => unknown)(serviceRequest);
  if (isThenable(result)) return Promise.resolve(result).then((value) => finish(service, target, match, value));
  finish(service, target, match, result);
}

/** Runs a prepared request: 406 when nothing acceptable can be produced, else the handler. */
function run(
  service: DispatchService,
  request: FastifyRequest,
  target: MutableTarget,
  prepared: Prepared | undefined,
  path: string,
  queryString: string,
): void | Promise<void> {
  if (prepared === undefined) return;
  if (target.negotiated === undefined) throw new NotAcceptable();
  return invoke(service, request, target, prepared, path, queryString);
}

/** Sends the response for a failure; a failure while doing so falls back to plain JSON without the route. */
function fail(service: DispatchService, target: MutableTarget, error: unknown, path: string): void {
  try {
    sendFailure(service, target, error, path);
  } catch (second) {
    sendFailure(service, { ...target, group: undefined, negotiated: undefined }, second, path);
  }
}

/**
 * Handles one Fastify request end to end.
 * @example fastify.route({ method: fastify.supportedMethods, url: '*', handler: (q, r) => dispatch(service, q, r) });
 */
export function dispatch(
  service: DispatchService,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> | undefined {
  const url = request.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const queryString = q < 0 ? '' : url.slice(q + 1);
  const method = request.method;
  const origin = requestOrigin(request);
  const target: MutableTarget = {
    reply,
    service,
    method,
    fullPath: queryString ? url : path,
    origin,
    negotiated: negotiate(request.headers.accept, formatParam(queryString)),
    group: undefined,
    entry: undefined,
    requestData: {},
    urlContext: new RequestUrls(service, origin),
  };
  if (path.startsWith(STATIC_PREFIX) && (method === 'GET' || method === 'HEAD')) {
    if (serveStaticAsset(request, reply, path)) return undefined;
  }
  const match = service.router.find(path, method);
  if (match.kind === 'not-found') {
    // `//host` or `/\host` would make the Location header point at another site (an open redirect).
    const redirectable = !path.endsWith('/') && !/^\/[/\\]/.test(path);
    if (redirectable && service.router.find(`${path}/`, method).kind !== 'not-found') {
      reply.code(308).header('location', `${path}/${queryString ? `?${queryString}` : ''}`);
      reply.header('x-content-type-options', 'nosniff').send();
      return undefined;
    }
    const message = 'The requested URL was not found on the server.';
    sendError(target, { status: 404, statusText: 'Not Found', message }, false);
    return undefined;
  }
  // Only a POST form can change its method, so only then is a 405 decided after reading the body.
  const mayOverride = method === 'POST' && (request.headers['content-type'] ?? '').includes('form');
  if (match.kind === 'method-not-allowed' && !mayOverride) {
    methodNotAllowed(target, match.allowed);
    return undefined;
  }
  target.group = match.group;
  // Synchronous all the way for a bodiless request to a synchronous handler; a promise only when needed. The
  // closures below exist only on the asynchronous path: none is allocated for a plain GET.
  try {
    const pending = prepare(service, request, target, path, match);
    const running = isThenable(pending)
      ? Promise.resolve(pending).then((prepared) => run(service, request, target, prepared, path, queryString))
      : run(service, request, target, pending, path, queryString);
    if (running !== undefined) return running.then(undefined, (error: unknown) => fail(service, target, error, path));
  } catch (error) {
    fail(service, target, error, path);
  }
  return undefined;
}

function methodNotAllowed(target: ResponseTarget, allowed: readonly string[]): FastifyReply {
  const message = 'The method is not allowed for the requested URL.';
  sendError(
    { ...target, group: undefined },
    { status: 405, statusText: 'Method Not Allowed', message, headers: { allow: allowed.join(', ') } },
    false,
  );
  return target.reply;
}
