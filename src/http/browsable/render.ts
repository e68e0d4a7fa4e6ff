/**
 * The browsable API page: the HTML face of every resource for people using a browser. The service builds a
 * {@link BrowsablePageModel}; this module turns it into a complete, fully escaped HTML document that works under
 * the CSP from {@link htmlSecurityHeaders} (no inline script or style) and with JavaScript off.
 */
import { contentSection, needsContentSection } from './content-section.js';
import { DEFAULT_FORMATS } from './controls.js';
import { escapeHtml } from './escape.js';
import { pageLayout } from './layout.js';
import { renderDescription } from './markdown.js';
import { breadcrumbNav, pageChrome } from './page-chrome.js';
import type { BrowsablePageModel, ErrorPageModel } from './page-model.js';
import { relatedBlock } from './related.js';
import { requestLine, responseBlock } from './response-view.js';
import { viewTitle } from './title.js';

export { escapeHtml } from './escape.js';

function contentInput(model: BrowsablePageModel) {
  return {
    fullPath: model.fullPath,
    allowed: new Set(model.allowedMethods.map((method) => method.toUpperCase())),
    bodyForms: model.bodyForms,
    contentTypes: model.contentTypes,
    submittedForm: model.submittedForm,
    issues: model.issues,
  };
}

/**
 * The full HTML page for one resource response.
 *
 * @example
 * renderBrowsablePage({
 *   serviceName: 'notes', endpoint: 'second', method: 'GET', fullPath: '/second/', origin: 'http://localhost:5000',
 *   status: 200, statusText: 'OK', headers: { 'content-type': 'application/json; charset=utf-8' },
 *   body: { response: 'SECOND' }, allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
 * }); // '<!doctype html>…<title>Microservice API - Second</title>…'
 */
export function renderBrowsablePage(model: BrowsablePageModel): string {
  const title = viewTitle(model.endpoint);
  const chrome = pageChrome(model.fullPath, model.allowedMethods, model.allowedFormats ?? DEFAULT_FORMATS);
  const description =
    model.description === undefined || model.description.trim() === ''
      ? ''
      : `<div class="description">${renderDescription(model.description)}</div>`;
  const main =
    chrome.breadcrumbs +
    `<div class="page-head"><h1>${escapeHtml(title)}</h1>${chrome.actions}</div>` +
    description +
    chrome.allowedMethods +
    '<section class="card exchange" aria-label="Request and response">' +
    requestLine(model.method, model.fullPath) +
    responseBlock(model.status, model.statusText, model.headers, model.body) +
    '</section>' +
    relatedBlock(model.related) +
    (needsContentSection(model) ? contentSection(contentInput(model)) : chrome.contentForm);
  return pageLayout({
    title: `Microservice API - ${title}`,
    serviceName: model.serviceName,
    main,
    apiDocument: model.apiDocument,
  });
}

/**
 * The 404/405/500 (and other error) page. The path is reflected only escaped; `detail` (a stack) is shown only
 * when the service passes it, which it does with `exposeErrors`.
 *
 * @example
 * renderErrorPage({ serviceName: 'notes', status: 404, statusText: 'Not Found', method: 'GET',
 *   fullPath: '/<script>', message: 'The requested URL was not found on the server.' });
 */
export function renderErrorPage(model: ErrorPageModel): string {
  const detail =
    model.detail === undefined || model.detail === ''
      ? ''
      : `<details class="card detail" open><summary>Detail</summary><pre>${escapeHtml(model.detail)}</pre></details>`;
  const main =
    breadcrumbNav(model.fullPath) +
    `<div class="page-head"><h1>${model.status} ${escapeHtml(model.statusText)}</h1></div>` +
    `<p class="message">${escapeHtml(model.message)}</p>` +
    '<section class="card exchange" aria-label="Request">' +
    requestLine(model.method, model.fullPath) +
    '</section>' +
    detail +
    '<p><a class="btn secondary" href="/">Back to the API root</a></p>';
  return pageLayout({
    title: `Microservice API - ${model.status} ${model.statusText}`,
    serviceName: model.serviceName,
    main,
    bodyClass: 'error',
    apiDocument: model.apiDocument,
  });
}

/**
 * Headers every HTML response carries: a CSP allowing only this origin's assets (no inline script or style,
 * no framing, forms only to this origin), `nosniff`, no referrer leaks, and no framing for old browsers.
 *
 * @example
 * reply.headers(htmlSecurityHeaders());
 */
export function htmlSecurityHeaders(): Record<string, string> {
  return {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
      "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
  };
}
