/**
 * HTML escaping for every value the browsable page shows. All page text goes through here: data, headers,
 * paths, the service name. Quotes are escaped too, so the result is safe inside attribute values.
 */

/** The replacement for each escaped character code, indexed by code (undefined for characters kept as is). */
const REPLACEMENTS: readonly (string | undefined)[] = (() => {
  const table: (string | undefined)[] = [];
  table[38] = '&amp;';
  table[60] = '&lt;';
  table[62] = '&gt;';
  table[34] = '&quot;';
  table[39] = '&#39;';
  return table;
})();

/**
 * Escapes `&`, `<`, `>`, `"` and `'` so the text is inert in HTML element content and quoted attributes.
 *
 * @example
 * escapeHtml('<script>alert("x")</script>'); // '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  // One pass that copies untouched runs as slices: the page escapes every value, so this is on the hot path.
  let result = '';
  let runStart = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const replacement = code < 63 ? REPLACEMENTS[code] : undefined;
    if (replacement === undefined) continue;
    if (runStart < index) result += text.slice(runStart, index);
    result += replacement;
    runStart = index + 1;
  }
  if (runStart === 0) return text;
  return runStart < text.length ? result + text.slice(runStart) : result;
}
