/**
 * Writing responses: rendered data goes through the resource envelope and the negotiated representation
 * (JSON, or the browsable page); errors become `{"message": ...}` the same way, or the HTML error page when no
 * route is involved. Every response carries `X-Content-Type-Options: nosniff`; negotiated ones `Vary: Accept`.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { htmlSecurityHeaders, renderBrowsablePage, renderErrorPage } from './browsable/render.js';
import { type EnvelopeContext, envelope } from './envelope.js';
import { encodeJson } from './json.js';
import { buildListing } from './listing.js';
import type { Negotiated } from './negotiation.js';
import { pageInputs } from './page-inputs.js';
import type { ResourceRecord, UrlContext } from './resources.js';
import type { RouteEntry, RouteGroup } from './router.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';
const JSON_FALLBACK: Negotiated = { representation: 'json', indent: undefined };

/** What the responder needs to know about the service. */
export interface ServiceView {
  readonly name: string;
  readonly debug: boolean;
  /** Stacks and thrown messages go into error responses only when this is on. */
  readonly exposeErrors: boolean;
  readonly closing: boolean;
  /** The path of the OpenAPI document when the service serves one (the page's header links it). */
  readonly apiDocument?: string | undefined;
  records(): Iterable<ResourceRecord>;
}

/**
 * One request's response context (the request context in dispatch.ts). `group` and `negotiated` are cleared
 * when an error must be shown without the route's envelope or in plain JSON.
 */
export interface ResponseTarget {
  readonly reply: FastifyReply;
  readonly service: ServiceView;
  readonly method: string;
  readonly fullPath: string;
  readonly origin: string;
  /** `undefined` when the Accept header cannot be satisfied (errors then fall back to JSON). */
  negotiated: Negotiated | undefined;
  group: RouteGroup | undefined;
  readonly entry: RouteEntry | undefined;
  readonly requestData: unknown;
  readonly urlContext: UrlContext;
  /** The fields of an overriding page form (what was typed), when the request was one. */
  readonly submittedForm?: Readonly<Record<string, string>> | undefined;
}

function commonHeaders(target: ResponseTarget, headers: Readonly<Record<string, string>>): void {
  const { reply } = target;
  reply.header('x-content-type-options', 'nosniff');
  reply.header('vary', 'Accept');
  if (target.service.closing) reply.header('connection', 'close');
  // for-in: `Object.keys` would allocate an array even for the shared empty map of a plain result.
  for (const name in headers) reply.header(name, headers[name]);
}

function setStatus(reply: FastifyReply, status: number, statusText: string): void {
  if (status !== 200) reply.code(status);
  // Only a custom reason phrase ('299 CUSTOM') needs setting; Node fills in the standard one.
  if (statusText !== STATUS_CODES[status]) reply.raw.statusMessage = statusText;
}

/**
 * The envelope's view of one response. A class rather than an object literal with closures, so a marked
 * resource costs one small object per request; the headers object and the listing are built only when the
 * resource's schema shows them.
 */
class ResponseEnvelopeContext implements EnvelopeContext {
  readonly #extraHeaders: Readonly<Record<string, string>>;

  readonly #record: ResourceRecord;

  readonly #target: ResponseTarget;

  constructor(
    target: ResponseTarget,
    record: ResourceRecord,
    readonly status: number,
    readonly statusText: string,
    extraHeaders: Readonly<Record<string, string>>,
  ) {
    this.#extraHeaders = extraHeaders;
    this.#record = record;
    this.#target = target;
  }

  get method(): string {
    return this.#target.method;
  }

  get requestData(): unknown {
    return this.#target.requestData;
  }

  get headers(): Readonly<Record<string, string>> {
    return { 'Content-Type': JSON_CONTENT_TYPE, ...this.#extraHeaders };
  }

  get rule(): string {
    return this.#record.rule;
  }

  get methods(): readonly string[] {
    return this.#record.methods;
  }

  get update(): unknown {
    return this.#record.update;
  }

  get info(): unknown {
    return this.#record.info;
  }

  listing(): Record<string, unknown> | undefined {
    return buildListing(this.#target.service.records(), this.#record.rule, this.#target.urlContext);
  }
}

function envelopeFor(
  target: ResponseTarget,
  record: ResourceRecord,
  data: unknown,
  html: boolean,
  status: number,
  statusText: string,
  headers: Readonly<Record<string, string>>,
): unknown {
  const schema = html ? record.schema.browser : record.schema;
  return envelope(data, schema, new ResponseEnvelopeContext(target, record, status, statusText, headers));
}

/**
 * Renders handler data (or an API error's `{"message": ...}`) with the envelope and negotiation.
 * @example sendRendered(target, { a: 1 }, 200, 'OK', {});
 */
export function sendRendered(
  target: ResponseTarget,
  data: unknown,
  status: number,
  statusText: string,
  headers: Readonly<Record<string, string>>,
): void {
  const { reply } = target;
  const negotiated = target.negotiated ?? JSON_FALLBACK;
  const html = negotiated.representation === 'html';
  const record = target.group?.record;
  if (status === 204 || status === 304) {
    // These statuses never carry a body, whatever the representation.
    commonHeaders(target, headers);
    setStatus(reply, status, statusText);
    reply.send();
    return;
  }
  const body = record ? envelopeFor(target, record, data, html, status, statusText, headers) : data;
  if (!html) {
    const text = encodeJson(body, negotiated.indent);
    commonHeaders(target, headers);
    setStatus(reply, status, statusText);
    reply.header('content-type', JSON_CONTENT_TYPE);
    reply.send(text);
    return;
  }
  encodeJson(body); // the page shows JSON, so unencodable data must fail here as it would for JSON
  const page = renderBrowsablePage({
    serviceName: target.service.name,
    apiDocument: target.service.apiDocument,
    endpoint: target.entry?.endpoint ?? target.group?.rule.rule ?? '',
    description: target.entry?.description,
    method: target.method,
    fullPath: target.fullPath,
    origin: target.origin,
    status,
    statusText,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers },
    body,
    allowedMethods: target.group?.allowed ?? [],
    ...pageInputs(target, data, status),
  });
  commonHeaders(target, { ...htmlSecurityHeaders(), ...headers });
  setStatus(reply, status, statusText);
  reply.header('content-type', HTML_CONTENT_TYPE);
  reply.send(page);
}

/** An error to show: status, client-facing message, extra headers, and a detail shown only with `exposeErrors`. */
export interface ErrorToShow {
  readonly status: number;
  readonly statusText: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Shown only with `exposeErrors` (a stack trace, a thrown message); never by `debug` alone. */
  readonly detail?: string | undefined;
}

/**
 * Sends an error: inside a marked route it renders like data (envelope and page); otherwise JSON
 * `{"message": ...}` for programs and the HTML error page for browsers.
 * @example sendError(target, { status: 404, statusText: 'Not Found', message: 'The requested URL was not found on the server.' });
 */
export function sendError(target: ResponseTarget, error: ErrorToShow, asPage: boolean): void {
  const headers = error.headers ?? {};
  const detail = target.service.exposeErrors ? error.detail : undefined;
  if (!asPage) target.group = undefined;
  if (asPage || (target.negotiated ?? JSON_FALLBACK).representation === 'json') {
    const data = detail === undefined ? { message: error.message } : { message: error.message, detail };
    sendRendered(target, data, error.status, error.statusText, headers);
    return;
  }
  const page = renderErrorPage({
    serviceName: target.service.name,
    apiDocument: target.service.apiDocument,
    status: error.status,
    statusText: error.statusText,
    message: error.message,
    method: target.method,
    fullPath: target.fullPath,
    detail,
  });
  commonHeaders(target, { ...htmlSecurityHeaders(), ...headers });
  setStatus(target.reply, error.status, error.statusText);
  target.reply.header('content-type', HTML_CONTENT_TYPE);
  target.reply.send(page);
}
