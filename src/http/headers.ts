/**
 * Response header checks and encodings. Node refuses a header value with CR, LF or a character above U+00FF
 * only when the head is written, long after a handler returned; checking when the handler builds its reply
 * turns that into an ordinary handler error (the service's own 500) with a message that names the header.
 */

/** RFC 9110 `token`: what a header name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node writes as a header value or reason phrase: tab, visible ASCII, space and Latin-1 (no controls). */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Why a header name or value would be refused when written, or `undefined` when it is fine.
 * @example headerProblem('location', '/a\r\nSet-Cookie: x=1'); // 'has a control character (CR, LF or NUL)'
 */
export function headerProblem(name: string, value: unknown): string | undefined {
  if (!TOKEN.test(name)) return 'has a name that is not an HTTP token';
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (Array.isArray(value)) {
    // Several lines of one header (Set-Cookie): each must pass on its own.
    for (const item of value) {
      const problem = headerProblem(name, item);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value !== 'string') return `has a ${value === null ? 'null' : typeof value} value, not a string`;
  const bad = INVALID_VALUE_CHAR.exec(value)?.[0];
  if (bad === undefined) return undefined;
  const code = bad.codePointAt(0) ?? 0;
  if (code > 0xff) {
    const hint = name.toLowerCase() === 'content-disposition' ? ' (encode file names with contentDisposition())' : '';
    return `has a character outside Latin-1 (U+${code.toString(16).toUpperCase().padStart(4, '0')})${hint}`;
  }
  return 'has a control character (CR, LF, NUL or another)';
}

/**
 * Throws a `TypeError` naming the first header that Node would refuse to write.
 * @example assertValidHeaders({ 'x-id': '42' }, 'reply()');
 */
export function assertValidHeaders(headers: Readonly<Record<string, unknown>>, where: string): void {
  for (const name of Object.keys(headers)) {
    const problem = headerProblem(name, headers[name]);
    if (problem !== undefined) throw new TypeError(`${where}: header "${name}" ${problem}`);
  }
}

/** Whether Node would write `text` as a reason phrase. */
export function isValidReasonPhrase(text: string): boolean {
  return !INVALID_VALUE_CHAR.test(text);
}

/** RFC 8187 `attr-char`: kept as is in `filename*`; every other byte is percent-encoded. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: controls are exactly what must go
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    if (ATTR_CHAR.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A `Content-Disposition` header value for a download (RFC 6266): an ASCII `filename` every client reads
 * (accents dropped, other characters `_`) and, when the name is not plain ASCII, `filename*=UTF-8''…`
 * (RFC 8187), which current browsers prefer. Control characters never reach the header.
 * @example
 * app.get('/cv/', () => reply(pdfBytes, 200, { 'content-disposition': contentDisposition('résumé.pdf') }));
 * // attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
 */
export function contentDisposition(filename: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const name = filename.replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
  const fallback = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (name === '') return type;
  const plain = `${type}; filename="${fallback}"`;
  return fallback === name ? plain : `${plain}; filename*=UTF-8''${percentEncode(name)}`;
}
