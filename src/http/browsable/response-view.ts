/**
 * The request line and the response block: `HTTP {status} {text}`, the headers (long comma lists broken into
 * lines after escaping, the shape of CVE-2024-21520), then the highlighted JSON body.
 */
import { escapeHtml } from './escape.js';
import { highlightJson, MAX_JSON_CHARS } from './json-highlight.js';

/** Headers longer than this with commas are shown one item per line (as DRF's `break_long_headers`). */
const LONG_HEADER = 160;

function headerValue(value: string): string {
  if (value.length <= LONG_HEADER || !value.includes(',')) return escapeHtml(value);
  // Escape each piece first, then join with markup: the markup is ours, the text never is.
  return value
    .split(',')
    .map((piece) => escapeHtml(piece.trim()))
    .join(',<br>    ');
}

/**
 * `<pre>` with the request line, e.g. `<b>GET</b> /second/?a=1`.
 *
 * @example
 * requestLine('GET', '/second/?a=<x>'); // '<pre class="request" …><b>GET</b> /second/?a=&lt;x&gt;</pre>'
 */
export function requestLine(method: string, fullPath: string): string {
  return `<pre class="request" aria-label="Request"><b class="method">${escapeHtml(method)}</b> ${escapeHtml(fullPath)}</pre>`;
}

/**
 * `<pre>` with the status line, the headers and the pretty, highlighted body.
 *
 * @example
 * responseBlock(200, 'OK', { 'content-type': 'application/json; charset=utf-8' }, { a: 1 });
 */
export function responseBlock(
  status: number,
  statusText: string,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  limit: number = MAX_JSON_CHARS,
): string {
  const statusClass = status >= 500 ? 's5' : status >= 400 ? 's4' : status >= 300 ? 's3' : 's2';
  let lines = `<b class="status ${statusClass}">HTTP ${status} ${escapeHtml(statusText)}</b>`;
  for (const name of Object.keys(headers)) {
    lines += `\n<b class="h-name">${escapeHtml(name)}: </b><span class="h-val">${headerValue(String(headers[name]))}</span>`;
  }
  const json = highlightJson(body, limit);
  const notice = json.truncated
    ? `\n<span class="truncated">&hellip; truncated at ${limit.toLocaleString('en')} characters; use ?format=json for the full body</span>`
    : '';
  return `<pre class="response" aria-label="Response">${lines}\n\n${json.html}${notice}</pre>`;
}
