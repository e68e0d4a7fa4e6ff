/**
 * The resource description (the seed's docstring) rendered from Markdown. Raw HTML is escaped (markdown-it
 * `html: false`), links may only be http(s) or relative, images are off (the CSP would block remote ones
 * anyway), and headings shift down one level with an `id`, as the seed's `headerid(level=2)` did.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
markdown.disable(['image']);

// A scheme other than http(s) (javascript:, data:, vbscript:, file:, mailto:...) is refused; relative links pass.
markdown.validateLink = (url: string): boolean => {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  if (scheme === null) return !/^[/\\]{2}/.test(trimmed);
  const name = scheme[1]?.toLowerCase();
  return name === 'http' || name === 'https';
};

markdown.core.ruler.push('shift_headings', (state) => {
  const tokens = state.tokens;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token === undefined || (token.type !== 'heading_open' && token.type !== 'heading_close')) continue;
    const level = Math.min(Number(token.tag.slice(1)) + 1, 6);
    token.tag = `h${level}`;
    if (token.type === 'heading_open') token.attrSet('id', headingSlug(tokens[index + 1]?.content ?? ''));
  }
  return true;
});

function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/[\s-]+/g, '-');
}

/**
 * Removes the common indentation of lines 2..n and trims, like Python's docstring cleaning, so an indented
 * template literal reads as intended Markdown.
 *
 * @example
 * dedentDescription('Title\n    * one\n    * two'); // 'Title\n* one\n* two'
 */
export function dedentDescription(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let indent = Number.POSITIVE_INFINITY;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    indent = Math.min(indent, line.length - line.trimStart().length);
  }
  if (!Number.isFinite(indent)) return text.trim();
  return [lines[0] ?? '', ...lines.slice(1).map((line) => line.slice(indent))].join('\n').trim();
}

const MAX_CACHED = 256;
const rendered = new Map<string, string>();

/**
 * The description as safe HTML. Descriptions are per-route constants, so results are cached (bounded).
 *
 * @example
 * renderDescription('# Notes\n\n* GET: list <b>all</b>');
 * // '<h2 id="notes">Notes</h2>\n<ul>\n<li>GET: list &lt;b&gt;all&lt;/b&gt;</li>\n</ul>\n'
 */
export function renderDescription(description: string): string {
  const cached = rendered.get(description);
  if (cached !== undefined) return cached;
  const html = markdown.render(dedentDescription(description));
  if (rendered.size >= MAX_CACHED) rendered.clear();
  rendered.set(description, html);
  return html;
}
