/**
 * The HTML page the peer servers render for scenario (c), so that they do comparable work to the toolkit's
 * browsable page: escape every value, pretty-print the envelope, and fill a template with the request line,
 * status, headers and forms. The toolkit's real page does more (Markdown, links, CSP nonce); BENCHMARKS.md says so.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/**
 * Renders the peer page for a resource.
 * @example renderPeerPage('GET', '/resource/', { response: [1] })
 */
export function renderPeerPage(method: string, path: string, envelope: unknown): string {
  const headers = { 'content-type': 'application/json; charset=utf-8', vary: 'Accept' };
  const headerLines = Object.entries(headers)
    .map(([name, value]) => `<b>${escapeHtml(name)}:</b> ${escapeHtml(value)}`)
    .join('\n');
  const body = escapeHtml(JSON.stringify({ ...(envelope as object), status: '200 OK', status_code: 200 }, null, 4));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Microservice API - Resource</title><link rel="stylesheet" href="/api/static/css/page.css"></head>
<body><header><h1>Resource</h1><nav><a href="/">Home</a> / <a href="${escapeHtml(path)}">${escapeHtml(path)}</a></nav></header>
<main><section class="request"><pre><b>${escapeHtml(method)}</b> ${escapeHtml(path)}</pre></section>
<section class="response"><pre><b>HTTP 200 OK</b>
${headerLines}

${body}</pre></section>
<form method="get" action="${escapeHtml(path)}"><button type="submit">GET</button></form>
<form method="post" action="${escapeHtml(path)}"><select name="_content_type"><option>application/json</option>
<option>application/x-www-form-urlencoded</option><option>multipart/form-data</option></select>
<textarea name="_content"></textarea><button type="submit">POST</button></form></main></body></html>`;
}
