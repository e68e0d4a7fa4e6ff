/**
 * The browsable page's form override: a POST form (urlencoded or multipart) may carry `_method` (route as
 * that method) and `_content` + `_content_type` (replace the body). Because this turns a simple cross-site form
 * POST into any method with any body, it is honoured only from the same origin; a cross-site override is 403.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { decodeFields, FIELDS_MARKER } from './browsable/form-names.js';
import { PermissionDenied } from './errors.js';
import type { ParsedBody } from './parsing.js';

/** The override a form asked for. */
export interface FormOverride {
  readonly method: string | undefined;
  readonly content: { readonly body: Buffer; readonly contentType: string } | undefined;
}

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The override carried by a POST form body, or `undefined` when there is none.
 * @example formOverride('POST', parsedBody); // { method: 'PUT', content: undefined }
 */
export function formOverride(method: string, body: ParsedBody): FormOverride | undefined {
  if (method !== 'POST' || !FORM_TYPES.has(body.mediaType)) return undefined;
  const { _method: rawMethod } = body.form;
  // The page's generated form sends one field per control instead of `_content`: its JSON body is built here
  // and then parsed like any JSON body (depth limit, prototype rules, the route's validation).
  const fields = body.form[FIELDS_MARKER] === 'fields';
  const content = fields ? JSON.stringify(decodeFields(body.form)) : body.form._content;
  const contentType = fields ? 'application/json' : body.form._content_type;
  const overrideMethod = rawMethod?.trim().toUpperCase();
  const hasMethod = overrideMethod !== undefined && overrideMethod !== '' && overrideMethod !== 'POST';
  const hasContent = content !== undefined && contentType !== undefined && contentType !== '';
  if (!hasMethod && !hasContent) return undefined;
  if (hasMethod && !METHOD_TOKEN.test(overrideMethod)) return undefined;
  return {
    method: hasMethod ? overrideMethod : undefined,
    content: hasContent ? { body: Buffer.from(content, 'utf8'), contentType } : undefined,
  };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Throws 403 unless the request comes from `origin` (`scheme://host`): `Origin` decides when present, else
 * `Referer`, else `Sec-Fetch-Site`; a request with none of them (a program, not a browser) is allowed.
 * @example assertSameOrigin(req.headers, 'http://127.0.0.1:5000');
 */
export function assertSameOrigin(headers: IncomingHttpHeaders, origin: string): void {
  const denied = (): never => {
    throw new PermissionDenied('Cross-site form overrides are refused (the request is not from this origin).');
  };
  const originHeader = headers.origin;
  if (originHeader !== undefined) {
    if (originHeader !== origin) denied();
    return;
  }
  const referer = headers.referer;
  if (referer !== undefined) {
    if (originOf(referer) !== origin) denied();
    return;
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') denied();
}
