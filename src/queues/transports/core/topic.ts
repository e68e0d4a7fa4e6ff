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

/** How a broker spells a topic pattern: its one-word and trailing-rest wildcards, and one escaped word. */
export interface WildcardSyntax {
  readonly broker: string;
  readonly oneWord: string;
  readonly rest: string;
  word(word: string): string;
}

/**
 * Translates an AMQP topic binding key word by word into a broker's wildcards. A broker whose rest wildcard
 * must close the pattern (MQTT `#`, NATS `>`) cannot take `#` elsewhere: that throws a RangeError.
 * @example wildcardWords('user.*.#', { broker: 'NATS', oneWord: '*', rest: '>', word: (w) => w }); // ['user', '*', '>']
 */
export function wildcardWords(bindingKey: string, syntax: WildcardSyntax): string[] {
  const words = bindingKey.split('.');
  return words.map((word, index) => {
    if (word === '*') return syntax.oneWord;
    if (word !== '#') return syntax.word(word);
    if (index !== words.length - 1) {
      throw new RangeError(`${syntax.broker} topic bindings support "#" only as the last word, not in "${bindingKey}"`);
    }
    return syntax.rest;
  });
}
