/**
 * The page's buttons and forms, chosen from the allowed methods. Every control works with JavaScript off:
 * GET and the format menu are links, OPTIONS and DELETE are POST forms carrying `_method`, and the content form
 * POSTs `_content_type` + `_content` with a button per allowed method (POST plain, PUT and PATCH via `_method`).
 */
import { escapeHtml } from './escape.js';
import { selfHref, withFormat, withoutFormat } from './links.js';

/**
 * The boundary of a multipart body typed into the content form. The seed sent `multipart/form-data` with no
 * boundary, so the server could never parse it (400 "missing boundary"); naming one makes the typed body valid.
 * Browsers send textarea line breaks as CRLF, which is what multipart needs.
 *
 * @example
 * const body = `--${FORM_BOUNDARY}\nContent-Disposition: form-data; name="a"\n\n1\n--${FORM_BOUNDARY}--`;
 */
export const FORM_BOUNDARY = 'microservices-form';

/**
 * The media types the content form offers, in the seed's order (JSON selected): `[value, label]`.
 *
 * @example
 * CONTENT_TYPES.map(([, label]) => label); // ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']
 */
export const CONTENT_TYPES: readonly (readonly [value: string, label: string])[] = [
  ['application/json', 'application/json'],
  ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
  [`multipart/form-data; boundary=${FORM_BOUNDARY}`, 'multipart/form-data'],
];

const MULTIPART_EXAMPLE = [
  `--${FORM_BOUNDARY}`,
  'Content-Disposition: form-data; name="title"',
  '',
  'Hello',
  `--${FORM_BOUNDARY}`,
  'Content-Disposition: form-data; name="notes"; filename="notes.txt"',
  'Content-Type: text/plain',
  '',
  'File content',
  `--${FORM_BOUNDARY}--`,
].join('\n');

const CONTENT_HINT =
  '<details class="hint"><summary>How to write each media type</summary>' +
  '<p><code>application/json</code>: any JSON value, e.g. <code>{"title": "Hello"}</code>. ' +
  '<code>application/x-www-form-urlencoded</code>: <code>title=Hello&amp;count=2</code>. ' +
  `<code>multipart/form-data</code>: parts separated by <code>--${FORM_BOUNDARY}</code> lines, ` +
  `each with its headers, a blank line and its value, ending with <code>--${FORM_BOUNDARY}--</code>:</p>` +
  `<pre>${escapeHtml(MULTIPART_EXAMPLE)}</pre></details>`;

/**
 * The formats the format menu offers when the model does not say.
 *
 * @example
 * renderBrowsablePage({ ...model, allowedFormats: DEFAULT_FORMATS });
 */
export const DEFAULT_FORMATS = ['json', 'html'] as const;

function methodForm(action: string, method: string, className: string, title: string): string {
  return (
    `<form class="inline-form" action="${action}" method="post">` +
    `<input type="hidden" name="_method" value="${method}">` +
    `<button type="submit" class="btn ${className}" title="${title}">${method}</button></form>`
  );
}

function getControls(fullPath: string, formats: readonly string[]): string {
  const items = formats
    .map((format) => {
      const label = escapeHtml(format);
      return `<li><a href="${escapeHtml(withFormat(fullPath, format))}" rel="nofollow">${label}</a></li>`;
    })
    .join('');
  return (
    '<div class="btn-group">' +
    `<a class="btn primary" href="${escapeHtml(withoutFormat(fullPath))}" title="Make a GET request on this resource">GET</a>` +
    '<details class="menu"><summary class="btn primary" title="Specify a format for the GET request">' +
    '<span class="visually-hidden">Format</span><span aria-hidden="true">&#9662;</span></summary>' +
    `<ul class="menu-list">${items}</ul></details></div>`
  );
}

/**
 * The action bar (GET with its format menu, OPTIONS, DELETE) for the allowed methods.
 *
 * @example
 * actionBar('/second/', ['GET', 'HEAD', 'OPTIONS', 'DELETE'], ['json', 'html']); // '<div class="actions">…'
 */
export function actionBar(fullPath: string, allowed: ReadonlySet<string>, formats: readonly string[]): string {
  const action = escapeHtml(selfHref(fullPath));
  const parts: string[] = [];
  if (allowed.has('OPTIONS'))
    parts.push(methodForm(action, 'OPTIONS', 'secondary', 'Make an OPTIONS request on this resource'));
  if (allowed.has('DELETE'))
    parts.push(methodForm(action, 'DELETE', 'danger', 'Make a DELETE request on this resource'));
  if (allowed.has('GET')) parts.push(getControls(fullPath, formats));
  return parts.length === 0 ? '' : `<div class="actions">${parts.join('')}</div>`;
}

/**
 * What the content form can be given besides the path and methods.
 *
 * @example
 * contentForm('/notes/', new Set(['POST']), { contentTypes: ['application/json'], content: '{"title": ""}' });
 */
export interface ContentFormOptions {
  /** The body media types the route accepts (lower-case essences); all three when absent. */
  readonly contentTypes?: readonly string[] | undefined;
  /** The text typed before (shown again after an error). */
  readonly content?: string | undefined;
  /** The media type chosen before (a `_content_type` value). */
  readonly contentType?: string | undefined;
  /** Only the `<form>`, for a page that places it in its own section (the raw tab). */
  readonly bare?: boolean;
}

/**
 * The media type options for a route: the form's three types restricted to the accepted ones (in the form's
 * order), then accepted types the form does not list; all three when the route accepts anything.
 *
 * @example
 * offeredContentTypes(['application/json']); // [['application/json', 'application/json']]
 */
export function offeredContentTypes(
  accepted: readonly string[] | undefined,
): readonly (readonly [value: string, label: string])[] {
  if (accepted === undefined) return CONTENT_TYPES;
  const offered = CONTENT_TYPES.filter(([, label]) => accepted.includes(label));
  for (const type of accepted) {
    if (!CONTENT_TYPES.some(([, label]) => label === type)) offered.push([type, type]);
  }
  return offered;
}

/**
 * The content form for POST, PUT and PATCH, or '' when none of them is allowed. The service replaces the request
 * body with `_content` typed as `_content_type`; the form itself is sent as multipart (the service accepts the
 * override in urlencoded and multipart bodies).
 *
 * @example
 * contentForm('/second/', new Set(['GET', 'POST'])); // '<section class="card content">…<button …>POST</button>…'
 */
export function contentForm(fullPath: string, allowed: ReadonlySet<string>, options: ContentFormOptions = {}): string {
  const buttons: string[] = [];
  if (allowed.has('POST'))
    buttons.push(
      '<button type="submit" class="btn primary" title="Make a POST request on this resource">POST</button>',
    );
  for (const method of ['PUT', 'PATCH']) {
    if (allowed.has(method))
      buttons.push(
        `<button type="submit" class="btn primary" name="_method" value="${method}" ` +
          `title="Make a ${method} request on this resource">${method}</button>`,
      );
  }
  if (buttons.length === 0) return '';
  const offered = offeredContentTypes(options.contentTypes);
  const chosen = offered.some(([value]) => value === options.contentType) ? options.contentType : offered[0]?.[0];
  const choices = offered
    .map(([value, label]) => {
      const selected = value === chosen ? ' selected' : '';
      return `<option value="${escapeHtml(value)}"${selected}>${escapeHtml(label)}</option>`;
    })
    .join('');
  const form =
    `<form class="content-form" action="${escapeHtml(selfHref(fullPath))}" method="post" enctype="multipart/form-data">` +
    `<label for="content-type">Media type</label><select id="content-type" name="_content_type">${choices}</select>` +
    '<label for="content-body">Content</label>' +
    // The newline after the tag is dropped by HTML parsers, so typed text that starts with one keeps it.
    '<textarea id="content-body" name="_content" rows="10" spellcheck="false" autocomplete="off">\n' +
    `${escapeHtml(options.content ?? '')}</textarea>` +
    `<div class="form-hint">${CONTENT_HINT}</div><div class="form-buttons">${buttons.join('')}</div></form>`;
  if (options.bare === true) return form;
  return `<section class="card content" aria-labelledby="content-title"><h2 id="content-title">Send content</h2>${form}</section>`;
}
