/**
 * AMQP topic matching: keys are dot-separated words, `*` matches exactly one word and `#` zero or more.
 * Brokers without native topic exchanges (memory, and emulations elsewhere) use it to route.
 */

/**
 * Compiles a binding pattern into a predicate over routing keys.
 * @example compileTopic('a.*')('a.b'); // true
 * @example compileTopic('a.#')('a'); // true
 */
export function compileTopic(pattern: string): (routingKey: string) => boolean {
  if (!pattern.includes('*') && !pattern.includes('#')) return (routingKey) => routingKey === pattern;
  const words = pattern.split('.');
  return (routingKey) => matchWords(words, 0, routingKey.split('.'), 0);
}

function matchWords(pattern: readonly string[], p: number, key: readonly string[], k: number): boolean {
  while (p < pattern.length) {
    const word = pattern[p];
    if (word === '#') {
      // `#` may swallow any number of words: try every split point.
      for (let skip = k; skip <= key.length; skip += 1) {
        if (matchWords(pattern, p + 1, key, skip)) return true;
      }
      return false;
    }
    if (k >= key.length) return false;
    if (word !== '*' && word !== key[k]) return false;
    p += 1;
    k += 1;
  }
  return k === key.length;
}
