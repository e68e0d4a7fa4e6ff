/**
 * The queue client (`Client` in `microservices-ts/queues`, also exported as `QueueClient`): publishes to
 * queues and exchanges and manages them. Every publish resolves only once the broker has the message, and
 * rejects when it refuses it (unroutable, unknown exchange), on close, or after the publish timeout.
 */
import { randomUUID } from 'node:crypto';
import type { AnySchema, InferOutput } from '../contracts/infer.js';
import { ERRORS } from '../errors.js';
import type { CloseHook } from '../lifecycle/part.js';
import { contextLogger, getLogger, type Logger } from '../logging.js';
import type { HealthRegistry } from '../ops/health.js';
import { messagingSystem, tracedPublish } from '../ops/tracing/index.js';
import {
  checkDeclareQueueOptions,
  QueueDeclarations,
  type QueueHandleOptions,
  splitQueueHandleOptions,
} from './client-declarations.js';
import { encodeWireBody, type Payload } from './codec.js';
import { type Connection, resolveConnection } from './connection.js';
import { guardPublish, type PublisherContract, type PublishPayload, publisherSchema } from './contracts.js';
import { observePublish, QUEUE_OPS_OPTIONS, QueueOps, type QueueOpsOptions } from './ops.js';
import { assertBoolean, assertKnownKeys, assertName, assertNumber, TIMEOUT } from './options.js';
import { ClientMessage } from './outgoing-message.js';
import type { QueueTopologyOptions } from './queue-topology.js';
import { type CallOptions, type CallStats, RpcCaller } from './rpc/caller.js';
import { callerSettings, RPC_CLIENT_OPTIONS, type RpcClientOptions } from './rpc/client-options.js';
import { MAX_DELAY_MS } from './transports/core/delayed-publish.js';
import { assertEncodableHeaders } from './transports/core/properties.js';
import type {
  ExchangeType,
  MessageProperties,
  OutgoingMessage,
  PublishOptions,
  Transport,
} from './transports/transport.js';

export interface ClientOptions extends Omit<QueueOpsOptions, 'ops'>, RpcClientOptions {
  /** A URL, `{url, ...transportOptions}` or a Transport. Default `BROKER_URL` or `amqp://guest:guest@localhost:5672/`. */
  readonly connection?: Connection;
  /** Display name; default `<client: URL-with-masked-password>`. */
  readonly name?: string;
  readonly logger?: Logger;
  /** Publish timeout in ms. Default 10 000. */
  readonly publishTimeoutMs?: number;
  /** Validate payloads before sending on handles made with a schema (`client.queue(name, { schema })`). Default true. */
  readonly validatePublish?: boolean;
  /**
   * `client.queue(name).publish()` declares the queue first, once per client, as the service would
   * (`declareQueue`), so a producer may run before its consumer. Default true; false keeps strict mode,
   * where a publish to a queue nobody declared is refused with `MS_QUEUE_UNROUTABLE`.
   */
  readonly declare?: boolean;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;

/** Settles as `work` does, unless `timeoutMs` passes or `signal` aborts first. */
function withinDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  timeoutError: () => Error,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(timeoutError());
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** `autoDelete` and `arguments` go to the transport only when it implements them; otherwise they are refused. */
function exchangeExtras(
  name: string,
  options: DeclareExchangeOptions,
  transport: Transport,
): { autoDelete?: boolean; arguments?: Readonly<Record<string, unknown>> } {
  const supported = transport.capabilities.exchangeOptions ?? [];
  const extra: { autoDelete?: boolean; arguments?: Readonly<Record<string, unknown>> } = {};
  if (options.autoDelete) {
    if (!supported.includes('autoDelete')) {
      throw ERRORS.MS_QUEUE_BAD_OPTION(`exchange "${name}": ${transport.name} has no autoDelete`);
    }
    extra.autoDelete = true;
  }
  if (options.arguments !== undefined && Object.keys(options.arguments).length > 0) {
    if (!supported.includes('arguments')) {
      throw ERRORS.MS_QUEUE_BAD_OPTION(`exchange "${name}": ${transport.name} takes no exchange arguments`);
    }
    extra.arguments = options.arguments;
  }
  return extra;
}

/** Adds to a publish's check that the transport can hold messages back (all five built-in ones can). */
function withDelayCheck(
  check: ((transport: Transport) => Promise<void>) | undefined,
): (transport: Transport) => Promise<void> {
  return async (transport) => {
    if (!transport.capabilities.delayedDelivery) {
      throw ERRORS.MS_QUEUE_UNSUPPORTED(`${transport.name} has no delayed delivery: delayMs cannot be honoured`);
    }
    await check?.(transport);
  };
}

/** Publish properties: AMQP basic properties (camelCase) plus per-publish options. */
export interface PublishProperties extends MessageProperties {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Deliver no earlier than this many ms from now (queue publishes only). Held on the broker on AMQP, Redis and
   * NATS; in the publishing process on MQTT and memory:// (lost if it exits). See docs/queues.md.
   */
  readonly delayMs?: number;
}

export interface DeclareExchangeOptions {
  /** Default 'direct'. */
  readonly type?: ExchangeType;
  /** `[queue, routingKey]` pairs: each queue is declared (durable) and bound with that key. */
  readonly queues?: ReadonlyArray<readonly [queue: string, routingKey: string]>;
  /** Default true. */
  readonly durable?: boolean;
  /** Delete the exchange when its last queue is unbound. Refused by transports that cannot (see docs/queues.md). */
  readonly autoDelete?: boolean;
  /** Broker-specific arguments (AMQP `x-…`). Refused by transports that cannot (see docs/queues.md). */
  readonly arguments?: Readonly<Record<string, unknown>>;
}

const CLIENT_OPTIONS = [
  'connection',
  'name',
  'logger',
  'publishTimeoutMs',
  'validatePublish',
  'declare',
  ...QUEUE_OPS_OPTIONS.slice(0, 2),
  ...RPC_CLIENT_OPTIONS,
];
const EXCHANGE_OPTIONS = ['type', 'queues', 'durable', 'autoDelete', 'arguments'];
const EXCHANGE_TYPES: readonly string[] = ['direct', 'fanout', 'topic'];

/** Refuses a bad per-publish timeout, priority or expiration before anything is sent. */
function checkPublishProperties(properties: PublishProperties): void {
  const where = 'publish properties';
  assertNumber(where, 'timeoutMs', properties.timeoutMs, TIMEOUT);
  assertNumber(where, 'priority', properties.priority, { integer: true, min: 0, max: 255 });
  assertNumber(where, 'expiration', properties.expiration, { min: 0, max: 2 ** 31 - 1 });
  assertNumber(where, 'timestamp', properties.timestamp, {});
  assertNumber(where, 'delayMs', properties.delayMs, { min: 0, max: MAX_DELAY_MS });
}

/** What `client.queue(name)` returns; with a schema, `P` is the schema's input type. */
export interface QueuePublisher<P = Payload> {
  readonly name: string;
  publish(payload: P, properties?: PublishProperties): Promise<void>;
  /**
   * Request/reply: publishes `payload` with a reply address and resolves to the handler's return value
   * (typed `R`, unchecked; `unknown` by default). A handler error rejects with a `RemoteError`; no reply
   * within `timeoutMs` rejects with `MS_QUEUE_REPLY_TIMEOUT`.
   * @example const sum = await client.queue('math.add').call<number>({ a: 1, b: 2 }, { timeoutMs: 5000 });
   */
  call<R = unknown>(payload: P, options?: CallOptions): Promise<R>;
}

/**
 * What `client.queue(name, { reply })` returns: `call()` resolves to the reply schema's output, checked on
 * receipt (a reply that fails rejects with `MS_QUEUE_REPLY_INVALID`). With a `schema` too, `P` is its input.
 * @example const sum: number = await client.queue('math.add', { schema: Addition, reply: z.number() }).call({ a: 1, b: 2 });
 */
export interface QueueCaller<P = Payload, R = unknown> {
  /** The queue's name. */
  readonly name: string;
  /** Publishes as `QueuePublisher.publish()` does (the handler's return value then goes nowhere). */
  publish(payload: P, properties?: PublishProperties): Promise<void>;
  /** Request/reply, as `QueuePublisher.call()`, resolving to the reply schema's output. */
  call(payload: P, options?: CallOptions): Promise<R>;
}

/** What `client.exchange(name, routingKey)` returns. */
export interface ExchangePublisher {
  readonly name: string;
  readonly routingKey: string;
  publish(payload: Payload, routingKey?: string, properties?: PublishProperties): Promise<void>;
}

/**
 * @example
 * const client = new Client({ connection: 'memory://demo' });
 * await client.queue('basic').publish({ data: 'Hello, world' });
 */
export class Client {
  readonly name: string;
  readonly logger: Logger;
  /** Exchanges declared (or found) through this client, by name, with their type. */
  readonly exchanges = new Map<string, ExchangeType | 'existing'>();
  readonly #connection: ReturnType<typeof resolveConnection>;
  /** `messaging.system` of the publish spans (from the connection's scheme). */
  readonly #system: string | undefined;
  readonly #publishTimeoutMs: number | undefined;
  #transport: Transport | undefined;
  /** The transport once created, connected or not (close() must close it either way). */
  #created: Transport | undefined;
  #opening: Promise<Transport> | undefined;
  readonly #connecting = new AbortController();
  #closed = false;
  /** Its place in `run(...)`'s order (a lifecycle `Part`): started first, closed last. */
  readonly kind = 'client' as const;
  readonly #ops: QueueOps;
  readonly #validatePublish: boolean;
  readonly #declaring: QueueDeclarations;
  readonly #caller: RpcCaller;

  constructor(options: ClientOptions | Connection = {}) {
    const resolved: ClientOptions =
      typeof options === 'string' || options instanceof URL || 'url' in options || 'consume' in options
        ? { connection: options as Connection }
        : (options as ClientOptions);
    if (resolved === options) {
      assertKnownKeys('queue client options', resolved, CLIENT_OPTIONS);
      assertNumber('queue client options', 'publishTimeoutMs', resolved.publishTimeoutMs, TIMEOUT);
      assertBoolean('queue client options', 'validatePublish', resolved.validatePublish);
      assertBoolean('queue client options', 'declare', resolved.declare);
    }
    this.#validatePublish = resolved.validatePublish ?? true;
    this.#declaring = new QueueDeclarations(resolved.declare ?? true);
    this.#connection = resolveConnection(resolved.connection, {});
    this.#system = messagingSystem(this.#connection.displayName);
    this.#publishTimeoutMs = resolved.publishTimeoutMs;
    this.name = resolved.name ?? `<client: ${this.#connection.displayName}>`;
    this.logger = contextLogger(
      resolved.logger ?? getLogger('microservices.queues.client'),
      { client: this.name },
      this,
    );
    this.logger.debug('built');
    this.#ops = new QueueOps('client', this.#connection.displayName, resolved);
    this.#caller = new RpcCaller(callerSettings(resolved, this.logger));
  }

  /** Request/reply counters: calls waiting now, and late replies dropped. @example client.stats.lateReplies; */
  get stats(): CallStats {
    return this.#caller.stats;
  }

  /** Readiness (the broker connection). @example app.health.include(events.health); */
  get health(): HealthRegistry {
    return this.#ops.health;
  }

  /** Connects (clients also connect on their first publish). @example await events.start(); */
  async start(): Promise<void> {
    await this.#ops.start();
    await this.#open();
  }

  /** Resolves once connected. @example await events.ready(); */
  async ready(): Promise<void> {
    await this.#open();
  }

  /** The lifecycle name of `close()`: waits for pending publishes, then closes. @example await events.stop(); */
  async stop(): Promise<void> {
    await this.close();
  }

  /** Runs `fn` after the client closed. @example events.onClose(() => console.log('closed')); */
  onClose(fn: CloseHook): void {
    this.#ops.onClose(fn);
  }

  toString(): string {
    return this.name;
  }

  /**
   * A handle that publishes to queue `name` through the default exchange.
   * @example await client.queue('basic').publish('hello');
   */
  queue(name: string): QueuePublisher;
  /**
   * With a `reply` schema, `call()` resolves to the schema's output and every reply is checked on receipt:
   * one that fails rejects with `MS_QUEUE_REPLY_INVALID` (its `cause` is a `ValidationError` with the issues).
   * A `schema` as well types and checks the request as for `publish()`.
   * @example const sum = await client.queue('math.add', { schema: Addition, reply: z.number() }).call({ a: 1, b: 2 });
   */
  queue<S extends AnySchema, R extends AnySchema>(
    name: string,
    options: PublisherContract<S> & { readonly schema: S; readonly reply: R } & QueueHandleOptions,
  ): QueueCaller<PublishPayload<S>, InferOutput<R>>;
  /** A reply schema without a request schema. @example await client.queue('clock.now', { reply: z.number() }).call(null); */
  queue<R extends AnySchema>(
    name: string,
    options: { readonly reply: R; readonly validate?: boolean } & QueueHandleOptions,
  ): QueueCaller<Payload, InferOutput<R>>;
  /**
   * With a schema, `publish()` takes the schema's input type and validates before sending: an invalid
   * payload rejects with a `ValidationError` (`MS_VALIDATION_FAILED`, with `issues`) and nothing is sent.
   * `validate: false` (or the client's `validatePublish: false`) keeps the types and skips the check.
   * @example await client.queue('notes.created', { schema: NoteCreated }).publish({ id: 1, title: 'x' });
   */
  queue<S extends AnySchema>(
    name: string,
    options: PublisherContract<S> & QueueHandleOptions,
  ): QueuePublisher<PublishPayload<S>>;
  /**
   * Declaration options: `declare: false` publishes without declaring (strict mode); `deadLetter` and
   * `maxPriority` must match the service's `app.queue(name, …)` options.
   * @example await client.queue('jobs', { maxPriority: 10 }).publish(job, { priority: 9 });
   */
  queue(name: string, options: QueueHandleOptions): QueuePublisher;
  queue(name: string, options?: PublisherContract & QueueHandleOptions): QueuePublisher | QueueCaller {
    const { contract, declaration } = splitQueueHandleOptions(name, options);
    const declares = this.#declaring.enabled(declaration);
    const publish = (payload: Payload, properties?: PublishProperties): Promise<void> =>
      declares && !this.#declaring.done(name)
        ? this.#send('', name, payload, properties, this.#declareFor(name, declaration))
        : this.publishToQueue(name, payload, properties);
    const schema = publisherSchema(name, contract, this.#validatePublish);
    const call = (payload: Payload, callOptions?: CallOptions): Promise<unknown> =>
      this.#caller.call(
        name,
        () => this.#open(),
        (route) =>
          this.#send(
            '',
            name,
            payload,
            { ...callOptions, ...route, persistent: false },
            declares && !this.#declaring.done(name) ? this.#declareFor(name, declaration) : undefined,
          ),
        callOptions,
        contract?.reply,
      );
    return {
      name,
      publish: schema ? guardPublish(name, schema, publish) : publish,
      call: (schema ? guardPublish(name, schema, call as never) : call) as QueuePublisher['call'],
    };
  }

  /**
   * A handle that publishes to exchange `name` with `routingKey` unless the publish names another.
   * @example await client.exchange('input', 'one').publish({ data: 1 });
   */
  exchange(name: string, routingKey = ''): ExchangePublisher {
    return {
      name,
      routingKey,
      publish: (payload, key, properties) => this.publishToExchange(name, key ?? routingKey, payload, properties),
    };
  }

  /**
   * Publishes to a queue; resolves when the broker has it. Strings go as text, Buffers as binary, the rest as JSON.
   * @example await client.publishToQueue('basic', { a: 1 }, { headers: { h1: 'v1' }, priority: 5 });
   */
  publishToQueue(name: string, payload: Payload, properties?: PublishProperties): Promise<void> {
    return this.#send('', name, payload, properties);
  }

  /**
   * Publishes to an exchange. It must have been declared, through this client or elsewhere; an unknown
   * exchange rejects with `MS_QUEUE_UNKNOWN_EXCHANGE` and nothing is sent.
   * @example await client.publishToExchange('input', 'one', 'data');
   */
  publishToExchange(name: string, routingKey: string, payload: Payload, properties?: PublishProperties): Promise<void> {
    if (this.exchanges.has(name)) return this.#send(name, routingKey, payload, properties);
    return this.#send(name, routingKey, payload, properties, async (transport) => {
      if (!(await transport.hasExchange(name))) {
        throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(
          `exchange "${name}" was never declared: call declareExchange("${name}", …) first`,
        );
      }
      this.exchanges.set(name, 'existing');
    });
  }

  /**
   * Declares an exchange and binds the given queues to it.
   * @example await client.declareExchange('input', { type: 'topic', queues: [['one_q', 'a.*']] });
   */
  async declareExchange(name: string, options: DeclareExchangeOptions = {}): Promise<void> {
    assertName('exchange', name);
    assertKnownKeys(`exchange "${name}" options`, options, EXCHANGE_OPTIONS);
    for (const [queue] of options.queues ?? []) assertName('queue', queue);
    const type = options.type ?? 'direct';
    if (!EXCHANGE_TYPES.includes(type)) {
      throw ERRORS.MS_QUEUE_BAD_OPTION(
        `exchange "${name}": type "${String(type).slice(0, 32)}" is not one of ${EXCHANGE_TYPES.join(', ')}`,
      );
    }
    const transport = await this.#open();
    const extra = exchangeExtras(name, options, transport);
    await transport.declareExchange(name, { type, durable: options.durable ?? true, ...extra });
    this.exchanges.set(name, type);
    for (const [queue, routingKey] of options.queues ?? []) {
      this.logger.debug(`bind queue "${queue}" to exchange "${name}" with routing key "${routingKey}"`);
      await transport.declareQueue(queue, { durable: true });
      await transport.bindQueue(queue, name, routingKey);
    }
  }

  /**
   * Declares queue `name` exactly as a service's `app.queue(name, options, …)` would (durable, with its
   * dead-letter queue and priority range), so that a producer may publish before the service first runs.
   * Once per client and name: concurrent and later calls share the first declaration.
   * @example await client.declareQueue('jobs', { maxPriority: 10 });
   */
  async declareQueue(name: string, options: QueueTopologyOptions = {}): Promise<void> {
    checkDeclareQueueOptions(name, options);
    const transport = await this.#open();
    await this.#declaring.declare(transport, name, options);
  }

  /** @example await client.deleteExchange('input'); */
  async deleteExchange(name: string): Promise<void> {
    await (await this.#open()).deleteExchange(name);
    this.exchanges.delete(name);
  }

  /** @example await client.deleteQueue('basic'); */
  async deleteQueue(name: string): Promise<void> {
    this.#declaring.forget(name);
    await (await this.#open()).deleteQueue(name);
  }

  /** Removes the ready messages of a queue; resolves to how many. @example await client.purgeQueue('basic'); */
  async purgeQueue(name: string): Promise<number> {
    return (await this.#open()).purgeQueue(name);
  }

  /** Waits for pending publishes and closes the connection (unless it was passed in). @example await client.close(); */
  async close(): Promise<void> {
    this.#closed = true;
    // Ends a connect that is still retrying (an unreachable broker), so close() settles at once.
    this.#connecting.abort(ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed`));
    await this.#caller.close(ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed: the call got no reply`));
    await this.#opening?.catch(() => undefined);
    const transport = this.#created;
    if (transport && this.#connection.owned) await transport.close();
    await this.#ops.closed();
  }

  /** The check `#send` runs first: declares queue `name` once per client (producer-first deploys). */
  #declareFor(name: string, declaration: QueueTopologyOptions): (transport: Transport) => Promise<void> {
    return (transport) => this.#declaring.declare(transport, name, declaration);
  }

  #send(
    exchange: string,
    routingKey: string,
    payload: Payload,
    properties?: PublishProperties,
    check?: (transport: Transport) => Promise<void>,
  ): Promise<void> {
    let message: ClientMessage;
    try {
      message = this.#message(payload, properties);
    } catch (error) {
      return Promise.reject(error);
    }
    const options = this.#publishOptions(properties);
    const checks = options?.delayMs ? withDelayCheck(check) : check;
    return tracedPublish({ system: this.#system, exchange, routingKey }, message, (traced) => {
      const transport = this.#transport;
      // The hot path: once connected, publish without an extra await.
      if (transport && !checks) {
        const publishing = transport.publish({ exchange, routingKey }, traced, options);
        return this.#ops.metrics.enabled
          ? observePublish(this.#ops.metrics, exchange || routingKey, publishing)
          : publishing;
      }
      return this.#publishWithin({ exchange, routingKey }, traced, options, checks);
    });
  }

  /**
   * One deadline for the whole publish, connecting included: the broker may be down or refuse the login,
   * and a publish must still settle within its timeout (issue 10 item 1). The connect goes on in the
   * background for later publishes; what is left of the budget goes to the transport's publish.
   */
  async #publishWithin(
    target: { exchange: string; routingKey: string },
    message: OutgoingMessage,
    options: PublishOptions | undefined,
    check: ((transport: Transport) => Promise<void>) | undefined,
  ): Promise<void> {
    const timeoutMs = options?.timeoutMs ?? this.#publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const started = Date.now();
    const transport = await withinDeadline(
      (async () => {
        const opened = await this.#open();
        await check?.(opened);
        return opened;
      })(),
      timeoutMs,
      options?.signal,
      () =>
        ERRORS.MS_QUEUE_PUBLISH_TIMEOUT(
          `${this.name} could not reach the broker within ${timeoutMs} ms; the message was not sent`,
        ),
    );
    const remaining = Math.max(1, timeoutMs - (Date.now() - started));
    return transport.publish(target, message, { ...options, timeoutMs: remaining });
  }

  #message(payload: Payload, properties?: PublishProperties): ClientMessage {
    const encoded = encodeWireBody(payload, properties);
    if (properties === undefined) {
      const plain: MessageProperties = {
        persistent: true,
        messageId: randomUUID(),
        contentType: encoded.contentType,
        contentEncoding: encoded.contentEncoding,
      };
      return new ClientMessage(encoded, plain);
    }
    checkPublishProperties(properties);
    const { timeoutMs: _timeout, signal: _signal, delayMs: _delay, ...rest } = properties;
    if (rest.headers !== undefined) assertEncodableHeaders(rest.headers);
    return new ClientMessage(encoded, {
      persistent: true,
      messageId: randomUUID(),
      ...rest,
      contentType: encoded.contentType,
      contentEncoding: encoded.contentEncoding,
    });
  }

  #publishOptions(properties?: PublishProperties): PublishOptions | undefined {
    const timeoutMs = properties?.timeoutMs ?? this.#publishTimeoutMs;
    const signal = properties?.signal;
    const delayMs = properties?.delayMs;
    if (timeoutMs === undefined && signal === undefined && !delayMs) return undefined;
    return {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(signal === undefined ? {} : { signal }),
      ...(delayMs ? { delayMs } : {}),
    };
  }

  #open(): Promise<Transport> {
    if (this.#closed) return Promise.reject(ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed`));
    this.#opening ??= (async () => {
      this.#created ??= this.#ops.watch(await this.#connection.create());
      const transport = this.#created;
      try {
        await transport.connect(this.#connecting.signal);
      } catch (error) {
        // A final refusal (bad credentials, gave up): the next call tries again instead of failing forever.
        if (!this.#closed) this.#opening = undefined;
        throw error;
      }
      this.#transport = transport;
      return transport;
    })();
    return this.#opening;
  }
}

/** The queue client under the name the root package exports. */
export { Client as QueueClient };
