import type { JsonSchema } from '../../contracts/json-schema.js';

/**
 * What the HTTP service hands the browsable page renderer: everything the page shows, already decided by
 * the service (status, headers, envelope, allowed methods). The renderer only turns it into escaped HTML.
 * This file is the contract between `src/http/` (the service) and `src/http/browsable/` (the page).
 *
 * @example
 * const model: BrowsablePageModel = {
 *   serviceName: 'notes', endpoint: 'second', method: 'GET', fullPath: '/second/', origin: 'http://127.0.0.1:5000',
 *   status: 200, statusText: 'OK', headers: { 'Content-Type': 'application/json; charset=utf-8' },
 *   body: { response: 'SECOND' }, allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
 * };
 */
export interface BrowsablePageModel {
  /** The service's name, shown in the header. */
  readonly serviceName: string;
  /** Where the service serves its OpenAPI document (the `openapi` option), linked from the header. */
  readonly apiDocument?: string | undefined;
  /** The route's endpoint name; the page title is derived from it (`second_params` gives "Second params"). */
  readonly endpoint: string;
  /** The route's Markdown description (the seed's docstring); raw HTML in it is escaped. */
  readonly description?: string | undefined;
  /** The request method as routed (after a `_method` override). */
  readonly method: string;
  /** The request path and query exactly as received (not yet escaped), e.g. `/second/?a=1`. */
  readonly fullPath: string;
  /** `scheme://host[:port]` of the request, to recognise same-origin links in the data. */
  readonly origin: string;
  readonly status: number;
  /** Reason phrase or custom status text: `OK`, `CUSTOM`. */
  readonly statusText: string;
  /** The response headers to show, as they will be sent for the JSON form of this resource. */
  readonly headers: Readonly<Record<string, string>>;
  /** The response body as the page shows it (the JSON body, or the browser schema's envelope), pretty-printed. */
  readonly body: unknown;
  /** Every method the path allows, including HEAD and OPTIONS. */
  readonly allowedMethods: readonly string[];
  /** The `?format=` values the format menu offers; `['json', 'html']` when absent. */
  readonly allowedFormats?: readonly string[] | undefined;
  /** Generated forms: one per distinct body schema of the path's POST, PUT and PATCH routes. */
  readonly bodyForms?: readonly BodyFormModel[] | undefined;
  /** The body media types the path's POST, PUT and PATCH routes accept; all of them when absent. */
  readonly contentTypes?: readonly string[] | undefined;
  /** The form fields the request was sent with (a form override), to show what was typed after an error. */
  readonly submittedForm?: Readonly<Record<string, string>> | undefined;
  /** Validation issues of a 400 response, shown next to the generated form's fields. */
  readonly issues?: readonly { readonly path: string; readonly message: string }[] | undefined;
  /** The other resources of the service (the listing), shown as links in their own block. */
  readonly related?: readonly RelatedResource[] | undefined;
}

/**
 * A generated form: the request body's JSON Schema and the methods that take that body.
 *
 * @example
 * const form: BodyFormModel = { methods: ['POST'], schema: { type: 'object', properties: { title: { type: 'string' } } } };
 */
export interface BodyFormModel {
  readonly methods: readonly string[];
  readonly schema: JsonSchema;
}

/**
 * One entry of the related-resources block.
 *
 * @example
 * const related: RelatedResource = { rule: '/notes/<int:id>/', url: 'http://127.0.0.1:5000/notes/1/', methods: ['GET'] };
 */
export interface RelatedResource {
  readonly rule: string;
  /** Absolute or same-origin URL; shown as a link only when `linkTarget` (links.ts) accepts it. */
  readonly url: string | undefined;
  readonly methods: readonly string[];
}

/**
 * What the service hands the error page renderer (404, 405, 500 and other errors shown as HTML).
 *
 * @example
 * const model: ErrorPageModel = { serviceName: 'notes', status: 404, statusText: 'Not Found', method: 'GET',
 *   fullPath: '/missing', message: 'The requested URL was not found on the server.' };
 */
export interface ErrorPageModel {
  readonly serviceName: string;
  /** Where the service serves its OpenAPI document, linked from the header. */
  readonly apiDocument?: string | undefined;
  readonly status: number;
  readonly statusText: string;
  /** A human explanation, e.g. "The requested URL was not found on the server." */
  readonly message: string;
  readonly method: string;
  readonly fullPath: string;
  /** Stack or detail shown only with `exposeErrors`. */
  readonly detail?: string | undefined;
}
