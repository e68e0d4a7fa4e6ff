/**
 * The related-resources block: the service's other resources (the listing the seed's browser envelope put in
 * the body under `resources`), as links with their methods, in the page's own block instead of the body.
 */
import { escapeHtml } from './escape.js';
import { linkTarget } from './links.js';
import type { RelatedResource } from './page-model.js';

/** Most resources listed; a service with more shows the first ones and says how many were left out. */
const MAX_RELATED = 200;

/**
 * The block's HTML, or '' when there is nothing to list.
 *
 * @example
 * relatedBlock([{ rule: '/notes/', url: '/notes/', methods: ['GET', 'POST'] }]);
 * // '<nav class="card related" aria-labelledby="related-title">…<a href="/notes/">/notes/</a>…'
 */
export function relatedBlock(related: readonly RelatedResource[] | undefined): string {
  if (related === undefined || related.length === 0) return '';
  let items = '';
  for (const resource of related.slice(0, MAX_RELATED)) {
    const href = resource.url === undefined ? undefined : linkTarget(resource.url);
    const rule = escapeHtml(resource.rule);
    const name = href === undefined ? `<code>${rule}</code>` : `<a href="${escapeHtml(href)}"><code>${rule}</code></a>`;
    const chips = resource.methods.map((method) => `<code class="chip">${escapeHtml(method)}</code>`).join(' ');
    items += `<li>${name} ${chips}</li>`;
  }
  const more =
    related.length > MAX_RELATED ? `<p class="form-note">${related.length - MAX_RELATED} more not shown.</p>` : '';
  return (
    '<nav class="card related" aria-labelledby="related-title"><h2 id="related-title">Related resources</h2>' +
    `<ul>${items}</ul>${more}</nav>`
  );
}
