/**
 * `client.resource('a', 'b')`: the same verbs with a path prefix. Immutable: `.resource('c')` returns a new
 * object and leaves its parent as it was (the seed's `Resource`).
 */
import type { Logger } from '../logging.js';
import type { VerbArguments } from './options.js';
import { buildResource, type PathPart } from './url.js';
import { type DynamicVerbs, installVerbs, type TypedVerbs } from './verbs.js';

/** What a resource needs from its client: a way to send a call under a prefix that is already encoded. */
export interface ResourceOwner {
  readonly logger: Logger;
  sendUnder<T>(method: string, prefix: string, args: readonly unknown[]): Promise<T>;
}

/**
 * A path prefix on a client. Created by `client.resource(...)`; every verb of the client works on it.
 * @example
 * const second = client.resource('second');
 * await second.get('test', { key: 'response' }); // GET http://localhost:5000/second/test/
 * await second.resource('one', 2).post({ data: { test: 'tested' } });
 */
class ResourceBase {
  /** The client this resource sends through. */
  readonly client: ResourceOwner;
  /** The path parts of this resource, as given. */
  readonly resources: readonly PathPart[];
  /** The client's logger. */
  readonly logger: Logger;
  readonly #prefix: string;

  constructor(client: ResourceOwner, resources: readonly PathPart[]) {
    this.client = client;
    this.resources = Object.freeze([...resources]);
    this.logger = client.logger;
    this.#prefix = buildResource(this.resources);
  }

  /** A deeper resource; this one is unchanged. */
  resource(...parts: readonly PathPart[]): Resource {
    return new Resource(this.client, [...this.resources, ...parts]);
  }

  /** Sends `method` to this resource's path plus `parts`. */
  request<T = unknown>(method: string, ...args: VerbArguments): Promise<T> {
    return this.client.sendUnder<T>(method.toUpperCase(), this.#prefix, args);
  }

  /** @internal What the installed verbs call. */
  sendVerb(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.client.sendUnder(method, this.#prefix, args);
  }

  toString(): string {
    return `<resource: ${this.#prefix}>`;
  }
}
installVerbs(ResourceBase);

/** A resource: the typed verbs plus any other verb by name (`resource.purge()`). */
export type Resource = ResourceBase & TypedVerbs & DynamicVerbs;

/** The `Resource` class; `new Resource(client, ['a', 'b'])` is what `client.resource('a', 'b')` does. */
export const Resource = ResourceBase as unknown as {
  new (client: ResourceOwner, resources: readonly PathPart[]): Resource;
  readonly prototype: ResourceBase;
};
