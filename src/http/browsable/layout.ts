/**
 * The document shell shared by the resource page and the error pages: head (title, stylesheet, deferred
 * script, all from `/api/static/`), the top bar with the service name (and a link to
 * the OpenAPI document when the service serves one), and the footer. No inline script or style,
 * so the page runs under a strict CSP.
 */
import { escapeHtml } from './escape.js';

/**
 * Where the service serves the page's assets (seed parity: `/api/static/`).
 *
 * @example
 * `${STATIC_PREFIX}css/page.css`; // '/api/static/css/page.css'
 */
export const STATIC_PREFIX = '/api/static/';

/**
 * What goes into the shell; `main` is already-safe HTML built by the caller.
 *
 * @example
 * const parts: LayoutParts = { title: 'Microservice API - Second', serviceName: 'notes', main: '<h1>Second</h1>' };
 */
export interface LayoutParts {
  readonly title: string;
  readonly serviceName: string;
  readonly main: string;
  readonly bodyClass?: string;
  /** The path of the service's OpenAPI document, linked from the top bar when set (escaped here). */
  readonly apiDocument?: string | undefined;
}

/**
 * A complete HTML document around already-escaped `main` content (title and service name escaped here).
 *
 * @example
 * pageLayout({ title: 'Microservice API - Second', serviceName: 'notes', main: '<h1>Second</h1>' });
 */
export function pageLayout(parts: LayoutParts): string {
  const serviceName = escapeHtml(parts.serviceName);
  const apiDocument =
    parts.apiDocument === undefined
      ? ''
      : `<a class="api-doc" href="${escapeHtml(parts.apiDocument)}" type="application/json">OpenAPI</a>`;
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="color-scheme" content="light dark"><meta name="referrer" content="same-origin">' +
    `<title>${escapeHtml(parts.title)}</title>` +
    `<link rel="icon" href="${STATIC_PREFIX}img/favicon.svg" type="image/svg+xml">` +
    `<link rel="stylesheet" href="${STATIC_PREFIX}css/page.css">` +
    `<script src="${STATIC_PREFIX}js/page.js" defer></script></head>` +
    `<body class="${parts.bodyClass ?? 'resource'}">` +
    '<header class="topbar"><div class="wrap topbar-inner">' +
    '<a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Microservice API</a>' +
    apiDocument +
    `<span class="service" title="Service">${serviceName}</span></div></header>` +
    `<main class="wrap">${parts.main}</main>` +
    `<footer class="wrap footer">Browsable API of <strong>${serviceName}</strong> &middot; microservices-ts</footer>` +
    '</body></html>\n'
  );
}
