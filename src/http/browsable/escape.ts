/**
 * HTML escaping for every value the browsable page shows. All page text goes through here: data, headers,
 * paths, the service name. Quotes are escaped too, so the result is safe inside attribute values.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPABLE = /[&<>"']/g;

/**
 * Escapes `&`, `<`, `>`, `"` and `'` so the text is inert in HTML element content and quoted attributes.
 *
 * @example
 * escapeHtml('<script>alert("x")</script>'); // '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  // Most values need no escaping; skipping the regex replace keeps the HTML page cheap to render.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(ESCAPABLE, (ch) => ESCAPES[ch] ?? ch);
}
