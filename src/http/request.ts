/**
 * The request a handler receives: routed parameters (typed from the rule), the parsed body (`data`, `form`,
 * `files`), query, headers, the routed method (after a form override) and `urlFor`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ParsedBody, UploadedFile } from './parsing.js';

/**
 * Options of `urlFor`.
 * @example req.urlFor('note', { id: 1 }, { external: true }); // 'http://127.0.0.1:5000/notes/1/'
 */
export interface UrlForOptions {
  /** An absolute URL using the request's scheme and host (default false). */
  readonly external?: boolean;
}

/**
 * Builds URLs for endpoints; `external` uses the current request's scheme and host.
 * @example const self: string = req.urlFor('note', { id: req.params.id });
 */
export type UrlFor = (endpoint: string, params?: Readonly<Record<string, unknown>>, options?: UrlForOptions) => string;

/**
 * What a handler receives. `P` is the parameter object typed from the rule string.
 * @example app.get('/notes/<int:id>/', (req) => ({ id: req.params.id, q: req.query.q }));
 */
export interface HttpRequest<P = Record<string, string | number>> {
  /** Parameters converted by the rule (`<int:id>` gives a number). */
  readonly params: P;
  /** The query string, first value per key (blank values kept). */
  readonly query: Readonly<Record<string, string>>;
  /** Every query value, for repeated keys. */
  readonly searchParams: URLSearchParams;
  /** The parsed body: any JSON value, a form field map, or `{}` when there is no body. */
  readonly data: unknown;
  /** Form fields (urlencoded or multipart). */
  readonly form: Readonly<Record<string, string>>;
  /** Uploaded files (multipart), by field name. */
  readonly files: Readonly<Record<string, UploadedFile>>;
  readonly headers: IncomingHttpHeaders;
  /** The method the request was routed on (a `_method` form override included). */
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** The path and query as received (`/x/?a=1`; no trailing `?`). */
  readonly fullPath: string;
  /** The rule string that matched, e.g. `/notes/<int:id>/`. */
  readonly rule: string;
  readonly endpoint: string;
  /** `scheme://host[:port]` of this request. */
  readonly origin: string;
  readonly urlFor: UrlFor;
  /** The underlying Fastify request and reply (escape hatch; a handler that sends through `reply` returns nothing). */
  readonly raw: { readonly request: FastifyRequest; readonly reply: FastifyReply };
}

/** The fields the dispatcher fills in when it builds a request. */
export interface RequestInit<P> {
  readonly params: P;
  readonly body: ParsedBody;
  readonly method: string;
  readonly path: string;
  readonly fullPath: string;
  readonly queryString: string;
  readonly rule: string;
  readonly endpoint: string;
  readonly origin: string;
  /** Builds this request's URLs (called as a method, so `this` is kept). */
  readonly urls: { urlFor: UrlFor };
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/**
 * The request implementation. It reads through to the dispatcher's context (`RequestInit`) instead of copying
 * its fields, so a request costs one small object; the query is parsed, `raw` and `urlFor` built only when read.
 */
export class ServiceRequest<P> implements HttpRequest<P> {
  readonly #init: RequestInit<P>;
  #rawPair: { readonly request: FastifyRequest; readonly reply: FastifyReply } | undefined;
  #boundUrlFor: UrlFor | undefined;
  #parsedQuery: Record<string, string> | undefined;
  #parsedSearch: URLSearchParams | undefined;

  constructor(init: RequestInit<P>) {
    this.#init = init;
  }

  get params(): P {
    return this.#init.params;
  }

  get method(): string {
    return this.#init.method;
  }

  get path(): string {
    return this.#init.path;
  }

  get fullPath(): string {
    return this.#init.fullPath;
  }

  get rule(): string {
    return this.#init.rule;
  }

  get endpoint(): string {
    return this.#init.endpoint;
  }

  get origin(): string {
    return this.#init.origin;
  }

  /** Built on first use: most handlers never reach for Fastify's objects. */
  get raw(): { readonly request: FastifyRequest; readonly reply: FastifyReply } {
    this.#rawPair ??= { request: this.#init.request, reply: this.#init.reply };
    return this.#rawPair;
  }

  /** Bound on first use, so `const { urlFor } = req` works too. */
  get urlFor(): UrlFor {
    const urls = this.#init.urls;
    this.#boundUrlFor ??= urls.urlFor.bind(urls);
    return this.#boundUrlFor;
  }

  get data(): unknown {
    return this.#init.body.data;
  }

  get form(): Readonly<Record<string, string>> {
    return this.#init.body.form;
  }

  get files(): Readonly<Record<string, UploadedFile>> {
    return this.#init.body.files;
  }

  get headers(): IncomingHttpHeaders {
    return this.#init.request.headers;
  }

  get searchParams(): URLSearchParams {
    this.#parsedSearch ??= new URLSearchParams(this.#init.queryString);
    return this.#parsedSearch;
  }

  get query(): Readonly<Record<string, string>> {
    if (this.#parsedQuery === undefined) {
      const query: Record<string, string> = {};
      for (const [key, value] of this.searchParams) {
        if (!Object.hasOwn(query, key)) {
          Object.defineProperty(query, key, { value, enumerable: true, writable: true, configurable: true });
        }
      }
      this.#parsedQuery = query;
    }
    return this.#parsedQuery;
  }
}
