/**
 * Builds an AsyncAPI 3.0 document from neutral queue and exchange descriptors: one channel per queue and per
 * exchange, one operation per queue (`receive` for a service's own queues, `send` for a client's), message
 * payloads from the schemas (JSON Schema draft-07, the dialect AsyncAPI 3.0 schemas build on), and the broker
 * as the server, its password never shown.
 */
import { ERRORS } from '../errors.js';
import type { AnySchema } from './infer.js';
import { rebaseRefs, toJsonSchema } from './json-schema.js';
import type { DocumentInfo, MissingPart } from './openapi.js';

/** A queue a service consumes (or a client publishes to). */
export interface QueueDescriptor {
  readonly name: string;
  /** Markdown. */
  readonly description?: string;
  /** The payload schema. */
  readonly schema?: AnySchema;
  /** `receive` (default: the service consumes it) or `send` (a client publishes to it). */
  readonly action?: 'receive' | 'send';
}

/** An exchange the service declares. */
export interface ExchangeDescriptor {
  readonly name: string;
  /** `direct`, `topic`, `fanout` or `headers`. */
  readonly type: string;
  readonly routingKeys?: readonly string[];
}

/** Everything an AsyncAPI document is built from. */
export interface AsyncApiDescriptor {
  readonly queues: readonly QueueDescriptor[];
  readonly exchanges?: readonly ExchangeDescriptor[];
  /** The broker. The URL may hold credentials: the password is masked and the query left out. */
  readonly server: { readonly url: string; readonly protocol?: string };
}

/** The document plus what it could not describe. */
export interface AsyncApiBuild {
  readonly document: Record<string, unknown>;
  readonly missing: readonly MissingPart[];
}

const MAX_CHANNELS = 10_000;
/** What a password is shown as (the same as `maskPassword()` writes). */
const PASSWORD_MASK = '**';

function uniqueId(raw: string, taken: Record<string, unknown>): string {
  const base = raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120) || 'channel';
  let id = base;
  for (let i = 2; id in taken; i++) id = `${base}_${i}`;
  return id;
}

/** The Server Object: host and pathname apart, the URL (password masked, no query) in the description. */
function serverOf(server: AsyncApiDescriptor['server']): Record<string, unknown> {
  let url: URL;
  try {
    url = new URL(server.url);
  } catch (error) {
    // The text may hold a password that maskPassword cannot recognise: do not repeat it.
    throw ERRORS.MS_CONTRACT_INVALID('the server URL is not a URL', { cause: error });
  }
  // Without an authority (`user:pw@host` parses as scheme "user" and path "pw@host") the path could hold it.
  if (url.host === '') throw ERRORS.MS_CONTRACT_INVALID('the server URL has no host');
  const protocol = server.protocol ?? url.protocol.replace(/:$/, '');
  const user = url.username || url.password ? `${url.username}${url.password ? `:${PASSWORD_MASK}` : ''}@` : '';
  const out: Record<string, unknown> = {
    host: url.host,
    protocol,
    description: `Broker: ${url.protocol}//${user}${url.host}${url.pathname}`,
  };
  if (url.pathname && url.pathname !== '/') out.pathname = url.pathname;
  return out;
}

/**
 * The AsyncAPI 3.0 document of a queue service (or client). Throws `MS_CONTRACT_INVALID` for an unparsable
 * server URL; a schema without JSON Schema is left without payload and listed in `missing`.
 * @example
 * const { document } = buildAsyncApi({ title: 'notes', version: '1.0.0' }, {
 *   queues: [{ name: 'notes.created', schema: NoteCreated }],
 *   server: { url: 'amqp://guest:guest@localhost:5672/' },
 * });
 */
export function buildAsyncApi(info: DocumentInfo, descriptor: AsyncApiDescriptor): AsyncApiBuild {
  const exchanges = descriptor.exchanges ?? [];
  if (descriptor.queues.length + exchanges.length > MAX_CHANNELS) {
    throw ERRORS.MS_CONTRACT_INVALID(`more than ${MAX_CHANNELS} queues and exchanges`);
  }
  const server = serverOf(descriptor.server);
  const amqp = server.protocol === 'amqp' || server.protocol === 'amqps';
  const missing: MissingPart[] = [];
  const channels: Record<string, Record<string, unknown>> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const schemaNames = new Map<object, string>();

  for (const queue of descriptor.queues) {
    const channelId = uniqueId(queue.name, channels);
    const messageId = uniqueId(queue.name, messages);
    const message: Record<string, unknown> = { name: queue.name, contentType: 'application/json' };
    if (queue.schema) {
      const result = toJsonSchema(queue.schema, { side: 'input', target: 'draft-07' });
      if (result.ok) {
        let name = schemaNames.get(result.schema);
        if (name === undefined) {
          name = uniqueId(queue.name, schemas);
          schemas[name] = rebaseRefs(result.schema, `#/components/schemas/${name}`);
          schemaNames.set(result.schema, name);
        }
        message.payload = { $ref: `#/components/schemas/${name}` };
      } else {
        missing.push({
          where: `queue ${queue.name} payload`,
          reason: result.missing.reason,
          vendor: result.missing.vendor,
        });
      }
    }
    messages[messageId] = message;
    const channel: Record<string, unknown> = {
      address: queue.name,
      messages: { [messageId]: { $ref: `#/components/messages/${messageId}` } },
    };
    if (queue.description) channel.description = queue.description;
    if (amqp) channel.bindings = { amqp: { is: 'queue', queue: { name: queue.name }, bindingVersion: '0.3.0' } };
    channels[channelId] = channel;
    const action = queue.action ?? 'receive';
    operations[uniqueId(`${action}_${queue.name}`, operations)] = {
      action,
      channel: { $ref: `#/channels/${channelId}` },
      messages: [{ $ref: `#/channels/${channelId}/messages/${messageId}` }],
    };
  }

  for (const exchange of exchanges) {
    const channelId = uniqueId(`exchange_${exchange.name}`, channels);
    const keys = exchange.routingKeys ?? [];
    const channel: Record<string, unknown> = {
      address: exchange.name,
      messages: {},
      description: `${exchange.type} exchange${keys.length > 0 ? `; routing keys: ${keys.join(', ')}` : ''}`,
    };
    if (amqp) {
      channel.bindings = {
        amqp: { is: 'routingKey', exchange: { name: exchange.name, type: exchange.type }, bindingVersion: '0.3.0' },
      };
    }
    channels[channelId] = channel;
  }

  const document: Record<string, unknown> = {
    asyncapi: '3.0.0',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    defaultContentType: 'application/json',
    servers: { broker: server },
    channels,
    operations,
    components: { messages, schemas },
  };
  return { document, missing };
}
