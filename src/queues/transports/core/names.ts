/**
 * Escaping a queue or exchange name into one token of a broker's name space (an MQTT topic level, a NATS
 * subject token): characters outside `safe` become `<escape>xx` per UTF-8 byte. Injective as long as `escape`
 * itself is not safe, so two names never share a topic, stream or subject.
 */

/**
 * @example escapeName('a/b', { safe: /^[A-Za-z0-9._-]$/, escape: '%', empty: '%' }); // 'a%2fb'
 */
export function escapeName(
  name: string,
  rule: { readonly safe: RegExp; readonly escape: string; readonly empty: string },
): string {
  if (name === '') return rule.empty;
  let escaped = '';
  for (const character of name) {
    if (rule.safe.test(character)) {
      escaped += character;
      continue;
    }
    for (const byte of Buffer.from(character, 'utf8')) escaped += `${rule.escape}${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}
