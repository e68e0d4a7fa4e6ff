/**
 * Verbs as methods, shared by the client and its resources. The common verbs are installed on the prototype
 * (typed by {@link TypedVerbs}); any other name (`client.purge()` sends PURGE, as the seed's
 * `__getattr__` did) falls through to a Proxy at the end of the prototype chain, so known members cost nothing.
 */
import type { Verb } from './options.js';

/** Verbs the client does not declare, typed loosely: `client.purge('x')`. */
export type DynamicVerbs = { readonly [verb: string]: Verb };

/** The typed verbs, installed on the prototype by {@link installVerbs}. */
export const TYPED_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/** The typed verbs of a client or a resource. */
export interface TypedVerbs {
  /** Sends GET to the path parts; the last argument may be the call's options. */
  readonly get: Verb;
  /** Sends POST to the path parts; the last argument may be the call's options. */
  readonly post: Verb;
  /** Sends PUT to the path parts; the last argument may be the call's options. */
  readonly put: Verb;
  /** Sends PATCH to the path parts; the last argument may be the call's options. */
  readonly patch: Verb;
  /** Sends DELETE to the path parts; the last argument may be the call's options. */
  readonly delete: Verb;
  /** Sends HEAD to the path parts; the last argument may be the call's options. */
  readonly head: Verb;
  /** Sends OPTIONS to the path parts; the last argument may be the call's options. */
  readonly options: Verb;
}

/** What the verbs call: send `method` with a verb's arguments (path parts, then options). */
export interface VerbSender {
  sendVerb(method: string, args: readonly unknown[]): Promise<unknown>;
}

const VERB_NAME = /^[A-Za-z]+$/;
// Names that tools probe objects for (promises, test matchers, inspectors): they must stay undefined.
const NOT_VERBS = new Set(['then', 'catch', 'finally', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', 'inspect']);

/**
 * Installs the typed verbs on `type`'s prototype, and makes every other alphabetic name a verb too.
 * @example installVerbs(BaseClient); new Client('http://h/').purge('cache');
 */
export function installVerbs(type: { readonly prototype: VerbSender }): void {
  for (const name of TYPED_VERBS) {
    const method = name.toUpperCase();
    Object.defineProperty(type.prototype, name, {
      value: function verb(this: VerbSender, ...args: readonly unknown[]) {
        return this.sendVerb(method, args);
      },
      writable: true,
      configurable: true,
    });
  }
  const parent: object = Object.getPrototypeOf(type.prototype);
  const fallback = new Proxy(parent, {
    get(target, property, receiver: VerbSender) {
      if (typeof property !== 'string' || property in target || !VERB_NAME.test(property) || NOT_VERBS.has(property)) {
        return Reflect.get(target, property, receiver);
      }
      const method = property.toUpperCase();
      return (...args: readonly unknown[]) => receiver.sendVerb(method, args);
    },
  });
  Object.setPrototypeOf(type.prototype, fallback);
}
