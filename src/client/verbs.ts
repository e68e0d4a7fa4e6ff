/**
 * Any HTTP verb as a method (`client.purge()` sends PURGE), as the seed's `__getattr__` did. The common verbs are
 * real methods; only a name that is found nowhere else falls through to this Proxy, so known members cost nothing.
 */
import type { Verb } from './options.js';

/** Verbs the client does not declare, typed loosely: `client.purge('x')`. */
export type DynamicVerbs = { readonly [verb: string]: Verb };

/** Something with a `request(method, ...args)` to route dynamic verbs to. */
interface Requester {
  request(method: string, ...args: readonly unknown[]): Promise<unknown>;
}

const VERB_NAME = /^[A-Za-z]+$/;
// Names that tools probe objects for (promises, test matchers, inspectors): they must stay undefined.
const NOT_VERBS = new Set(['then', 'catch', 'finally', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', 'inspect']);

/**
 * Makes every unknown alphabetic property of `type`'s instances a verb that calls `request(NAME, ...args)`.
 * @example installDynamicVerbs(Client); new Client('http://h/').purge('cache');
 */
export function installDynamicVerbs(type: { readonly prototype: object }): void {
  const parent: object = Object.getPrototypeOf(type.prototype);
  const fallback = new Proxy(parent, {
    get(target, property, receiver: Requester) {
      if (typeof property !== 'string' || property in target || !VERB_NAME.test(property) || NOT_VERBS.has(property)) {
        return Reflect.get(target, property, receiver);
      }
      const method = property.toUpperCase();
      return (...args: readonly unknown[]) => receiver.request(method, ...args);
    },
  });
  Object.setPrototypeOf(type.prototype, fallback);
}
