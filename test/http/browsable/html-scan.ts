/**
 * A small scanner for the renderer's own output, which always double-quotes attribute values: lists the tags
 * and their attribute names, so tests can tell real markup from escaped text inside attribute values.
 */
export interface ScannedTag {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

const VALUE = `(?:="([^"]*)"|='([^']*)'|=([^\\s>]+))?`;
const TAG = new RegExp(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\\s+[^\\s"'>/=]+${VALUE})*)\\s*\\/?>`, 'g');
const ATTRIBUTE = new RegExp(`\\s+([^\\s"'>/=]+)${VALUE}`, 'g');

export function scanTags(html: string): ScannedTag[] {
  const tags: ScannedTag[] = [];
  for (const match of html.matchAll(TAG)) {
    // Groups 3-5 are the last attribute's value alternatives; group 2 holds all attributes.
    const attributes: Record<string, string> = {};
    for (const attribute of (match[2] ?? '').matchAll(ATTRIBUTE)) {
      attributes[(attribute[1] ?? '').toLowerCase()] = attribute[2] ?? attribute[3] ?? attribute[4] ?? '';
    }
    tags.push({ name: (match[1] ?? '').toLowerCase(), attributes });
  }
  return tags;
}

/** Tags carrying an event-handler attribute (`onerror`, `onclick`, ...): never expected on the page. */
export function eventHandlerTags(html: string): ScannedTag[] {
  return scanTags(html).filter((tag) => Object.keys(tag.attributes).some((name) => name.startsWith('on')));
}
