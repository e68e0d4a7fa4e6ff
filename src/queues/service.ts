/**
 * The queue service (`Microservice` in `microservices-ts/queues`, also exported as `QueueService`): register
 * handlers with `queue(name, handler)`, then `run()` until `stop()`. Messages are acked only after their
 * handler succeeds; failures retry with backoff and then go to a dead-letter queue; `stop()` drains.
 */
import type { AnySchema, InferOutput } from '../contracts/infer.js';
import { CODES, ERRORS } from '../errors.js';
import type { CloseHook } from '../lifecycle/part.js';
import { logWith } from '../logging/fields.js';
import { contextLogger, getLogger, type Logger, setLogging } from '../logging.js';
import type { HealthRegistry } from '../ops/health.js';
import { type Connection, resolveConnection } from './connection.js';
import type { HandlerContext, QueueHandler, QueueRule } from './context.js';
import {
  type AsyncApiOptions,
  guardHandler,
  type QueueContract,
  queueArguments,
  queueAsyncApi,
  type SchemaHandler,
  type SchemaReplyHandler,
} from './contracts.js';
import { DrainLimit, type QueueStopOptions } from './drain-limit.js';
import { describeFailure } from './failure.js';
import { HandlerRunner } from './handler-runner.js';
import { QUEUE_OPS_OPTIONS, QueueOps, type QueueOpsOptions } from './ops.js';
import {
  assertBoolean,
  assertFunction,
  assertKnownKeys,
  assertName,
  assertNumber,
  assertReconnect,
  assertRetry,
  DURATION,
  type NumberRule,
  TIMEOUT,
} from './options.js';
import { checkTopologyOptions, declareServiceQueue } from './queue-topology.js';
import { drainTimeoutMs, reconnectDelayMs } from './renamed-options.js';
import { type RetryOptions, resolveRetry } from './retry.js';
import { Responder } from './rpc/responder.js';
import type { ReconnectOptions, Subscription, Transport } from './transports/transport.js';

export interface MicroserviceOptions extends QueueOpsOptions {
  /** A URL, `{url, ...transportOptions}` or a Transport. Default `BROKER_URL` or `amqp://guest:guest@localhost:5672/`. */
  readonly connection?: Connection;
  /** Run up to this many handlers at once per queue (default 1, as the seed without workers). */
  readonly workers?: number;
  /** With workers, force every queue's prefetch to `workers`. Default true. */
  readonly workersOverridePrefetch?: boolean;
  /** Default prefetch for queues that set none. Default 100 (0 means unlimited). */
  readonly prefetchCount?: number;
  readonly reconnect?: ReconnectOptions;
  /** The seed's switch: false makes a lost or refused connection final (same as `reconnect.enabled`). */
  readonly reconnectEnable?: boolean;
  /**
   * The seed's delay between connection attempts, in seconds.
   * @deprecated Use `reconnect.initialDelayMs` (in ms: `reconnectTimeout * 1000`).
   */
  readonly reconnectTimeout?: number;
  /** Connect in the constructor (in the background). With false, `queue()` or `run()` connects. Default true. */
  readonly immediateConnect?: boolean;
  /** Display name; default `<microservice: URL-with-masked-password>`. */
  readonly name?: string;
  /** Any pino-compatible logger; lines carry `service`, and in handlers `queue`, `messageId`, `attempt`. */
  readonly logger?: Logger;
  /**
   * How long `stop()` waits for running handlers, in ms. Default 10 000. A deadline or signal given to `stop()`
   * (the lifecycle's, under `run(...)`) replaces it.
   */
  readonly drainTimeoutMs?: number;
  /** @deprecated Use `drainTimeoutMs` (same value, in ms). */
  readonly drainTimeout?: number;
  /** Retry policy for queues that set none. */
  readonly retry?: RetryOptions;
  /**
   * Replaces JSON.parse for JSON bodies of every queue that sets none. JSON.parse rounds integers past 2^53
   * silently; pass a BigInt-safe parser (e.g. `json-bigint`) where ids are 64-bit.
   */
  readonly parseJson?: (text: string) => unknown;
  /** Request/reply: send the handler's stack with an error reply (the code and message always go). Default false. */
  readonly exposeErrors?: boolean;
}

export interface QueueOptions {
  /** Ack after the handler succeeds. Default true; with false the handler acks, rejects or requeues. */
  readonly autoack?: boolean;
  readonly prefetchCount?: number;
  readonly retry?: RetryOptions;
  /** Dead-letter queue name, or false to drop exhausted messages. Default `NAME.dead-letter`. */
  readonly deadLetter?: string | false;
  /** Highest message priority the queue honours (see `QueueTopologyOptions.maxPriority`); give the producer the same. */
  readonly maxPriority?: number;
  /** Fail (and retry) a handler running longer than this; its `context.signal` aborts. */
  readonly timeoutMs?: number;
  /** Hand the body to the handler undecoded, as a Buffer (e.g. to inspect a dead-letter queue). Default false. */
  readonly raw?: boolean;
  /** Replaces JSON.parse for this queue's JSON bodies (see `MicroserviceOptions.parseJson`). */
  readonly parseJson?: (text: string) => unknown;
}

const SERVICE_OPTIONS = [
  'connection',
  'workers',
  'workersOverridePrefetch',
  'prefetchCount',
  'reconnect',
  'reconnectEnable',
  'reconnectTimeout',
  'immediateConnect',
  'name',
  'logger',
  'drainTimeout',
  'drainTimeoutMs',
  'retry',
  'parseJson',
  'exposeErrors',
  ...QUEUE_OPS_OPTIONS,
];
const QUEUE_OPTIONS = [
  'autoack',
  'prefetchCount',
  'retry',
  'deadLetter',
  'maxPriority',
  'timeoutMs',
  'raw',
  'parseJson',
];
const PREFETCH: NumberRule = { integer: true, min: 0, max: 65_535 };

/** Refuses unknown and out-of-range service options (issue 10 item 11). */
function checkServiceOptions(options: MicroserviceOptions): void {
  const where = 'queue service options';
  assertKnownKeys(where, options, SERVICE_OPTIONS);
  assertNumber(where, 'workers', options.workers, { integer: true, min: 0, max: 10_000 });
  assertNumber(where, 'prefetchCount', options.prefetchCount, PREFETCH);
  assertNumber(where, 'drainTimeout', options.drainTimeout, DURATION);
  assertNumber(where, 'drainTimeoutMs', options.drainTimeoutMs, DURATION);
  assertNumber(where, 'reconnectTimeout', options.reconnectTimeout, { min: 0, max: 2_147_483 });
  for (const flag of ['workersOverridePrefetch', 'reconnectEnable', 'immediateConnect', 'exposeErrors'] as const) {
    assertBoolean(where, flag, options[flag]);
  }
  assertReconnect(where, options.reconnect);
  assertRetry(where, options.retry);
  assertFunction(where, 'parseJson', options.parseJson);
  drainTimeoutMs(options);
  reconnectDelayMs(options);
}

/** Refuses unknown and out-of-range queue options. */
function checkQueueOptions(name: string, options: QueueOptions): void {
  const where = `queue "${name}" options`;
  assertKnownKeys(where, options, QUEUE_OPTIONS);
  assertNumber(where, 'prefetchCount', options.prefetchCount, PREFETCH);
  assertNumber(where, 'timeoutMs', options.timeoutMs, TIMEOUT);
  assertBoolean(where, 'autoack', options.autoack);
  assertBoolean(where, 'raw', options.raw);
  assertRetry(where, options.retry);
  assertFunction(where, 'parseJson', options.parseJson);
  checkTopologyOptions(where, options);
}

interface RegisteredQueue {
  readonly rule: QueueRule;
  readonly options: QueueOptions;
  declared?: Promise<void>;
  runner?: HandlerRunner;
  subscription?: Promise<Subscription | undefined>;
}

const DEFAULT_PREFETCH = 100;

/** Merges the seed's `reconnectEnable`/`reconnectTimeout` into the transport's reconnect settings. */
function reconnectSettings(options: MicroserviceOptions): ReconnectOptions {
  return {
    ...options.reconnect,
    ...(options.reconnectEnable === undefined ? {} : { enabled: options.reconnectEnable }),
    ...(options.reconnectTimeout === undefined ? {} : { initialDelayMs: reconnectDelayMs(options) as number }),
  };
}

/**
 * @example
 * const app = new Microservice({ connection: 'memory://demo' });
 * app.queue('basic', (payload, context) => context.logger.info(JSON.stringify(payload)));
 * await app.run();
 */
export class Microservice {
  readonly name: string;
  readonly logger: Logger;
  readonly #options: MicroserviceOptions;
  readonly #connection: ReturnType<typeof resolveConnection>;
  readonly #queues = new Map<string, RegisteredQueue>();
  readonly #stopController = new AbortController();
  #transportPromise: Promise<Transport> | undefined;
  #connected: Promise<Transport> | undefined;
  #consuming = false;
  #hasConnected = false;
  #stopPromise: Promise<void> | undefined;
  readonly #drainLimit = new DrainLimit();
  #isStopped = false;
  /** The connection failure that stopped the service, if one did; run() rejects with it. */
  #fatal: unknown;
  #resolveStopped!: () => void;
  readonly #stoppedSignal = new Promise<void>((resolve) => {
    this.#resolveStopped = resolve;
  });
  /** Its place in `run(...)`'s order (a lifecycle `Part`). */
  readonly kind = 'queue-service' as const;
  readonly #ops: QueueOps;

  constructor(options: MicroserviceOptions | string = {}) {
    this.#options = typeof options === 'string' ? { connection: options } : options;
    checkServiceOptions(this.#options);
    this.#connection = resolveConnection(this.#options.connection, { reconnect: reconnectSettings(this.#options) });
    this.name = this.#options.name ?? `<microservice: ${this.#connection.displayName}>`;
    this.logger = contextLogger(
      this.#options.logger ?? getLogger('microservices.queues.service'),
      { service: this.name },
      this,
    );
    this.#ops = new QueueOps('queue-service', this.#connection.displayName, this.#options);
    if (this.#options.immediateConnect ?? true) void this.#connect().catch(() => {});
  }

  /** Readiness (the broker connection) behind `/readyz`. @example worker.health.check('db', () => pool.ping()); */
  get health(): HealthRegistry {
    return this.#ops.health;
  }

  /**
   * Starts consuming and resolves once connected and subscribed (`run()` resolves only after `stop()`); with
   * `ops`, also starts the ops listener. @example await worker.start();
   */
  async start(): Promise<void> {
    await this.#ops.start();
    this.#startConsuming();
    await this.ready();
    await Promise.all([...this.#queues.values()].map((queue) => queue.subscription));
  }

  /** Runs `fn` once the service stopped (after the drain). @example worker.onClose(() => pool.end()); */
  onClose(fn: CloseHook): void {
    this.#ops.onClose(fn);
  }

  /** True once `stop()` has finished. */
  get stopped(): boolean {
    return this.#isStopped;
  }

  toString(): string {
    return this.name;
  }

  /**
   * Registers `handler` for queue `name` (declared durable, with a dead-letter queue) and returns the handler,
   * so one function can be registered on several services.
   * @example app.queue('basic', async (payload, context) => { await save(payload); });
   */
  queue<H extends QueueHandler>(name: string, handler: H, options?: QueueOptions & QueueContract): H;
  /**
   * Request/reply with both schemas: the payload is typed by `schema`, the handler's return value by
   * `reply` (its input type), and the reply is checked before it is sent to a `call()`.
   * @example app.queue('math.add', { schema: Addition, reply: z.number() }, async ({ a, b }) => a + b);
   */
  queue<S extends AnySchema, R extends AnySchema, H extends SchemaReplyHandler<InferOutput<S>, R>>(
    name: string,
    options: QueueOptions & { readonly schema: S; readonly reply: R },
    handler: H,
  ): H;
  /** Request/reply with a reply schema only. @example app.queue('clock.now', { reply: z.number() }, () => Date.now()); */
  queue<R extends AnySchema, H extends SchemaReplyHandler<unknown, R>>(
    name: string,
    options: QueueOptions & { readonly reply: R },
    handler: H,
  ): H;
  /**
   * Registers `handler` with its options first; with a `schema` (any Standard Schema) the payload is typed
   * and validated before the handler runs: an invalid one is dead-lettered at once, never retried.
   * @example app.queue('notes.created', { schema: NoteCreated }, async (note) => { await save(note.id); });
   */
  queue<S extends AnySchema, H extends SchemaHandler<S>>(
    name: string,
    options: QueueOptions & { readonly schema: S },
    handler: H,
  ): H;
  /** Options first, without a schema. @example app.queue('jobs', { prefetchCount: 5 }, handler); */
  queue<H extends QueueHandler>(name: string, options: QueueOptions, handler: H): H;
  queue(name: string, first: QueueHandler | QueueOptions, second?: QueueHandler | QueueOptions): QueueHandler {
    const { handler, options, schema, reply } = queueArguments<QueueOptions>(name, first, second);
    checkQueueOptions(name, options);
    const deadLetter = options.deadLetter ?? `${name}.dead-letter`;
    assertName('queue', name);
    if (deadLetter !== false) assertName('queue', deadLetter);
    if (this.#queues.has(name)) {
      throw ERRORS.MS_QUEUE_DUPLICATE(`queue "${name}" already has a handler on ${this.name}`);
    }
    const rule: QueueRule = {
      name,
      handler: schema ? guardHandler(schema, handler, name) : handler,
      autoack: options.autoack ?? true,
      options: { ...options, ...(schema ? { schema } : {}), ...(reply ? { reply } : {}) },
      logger: contextLogger(this.logger, { queue: name }, { toString: () => `<queue: ${name}>` }),
      toString: () => `<queue: ${name}>`,
    };
    const registered: RegisteredQueue = { rule, options };
    this.#queues.set(name, registered);
    this.logger.debug(`Rule "${name}" added!`);
    // As in the seed, registering connects and declares (in the background here, so it never blocks).
    if (this.#consuming) this.#subscribe(registered);
    else void this.#declare(registered).catch(() => {});
    return handler;
  }

  /**
   * The AsyncAPI 3.0 document of this service: its queues (payloads from their schemas), their dead-letter
   * queues, the exchanges given, and the broker with its password masked.
   * @example const document = app.asyncapi({ title: 'notes', version: '1.0.0' });
   */
  asyncapi(options?: AsyncApiOptions): Record<string, unknown> {
    const rules = [...this.#queues.values()].map((queue) => queue.rule);
    return queueAsyncApi(
      { name: this.name, logger: this.logger, brokerUrl: this.#connection.displayName, rules },
      options,
    );
  }

  /**
   * Resolves once connected and every registered queue is declared, so publishes to them are routable.
   * @example app.queue('q', handler); await app.ready(); await client.queue('q').publish(1);
   */
  async ready(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => this.#declare(queue)));
    await this.#connect();
  }

  /**
   * Consumes until `stop()`; resolves when the service has stopped. `debug: true` turns on debug logging.
   * @example await app.run({ debug: true });
   */
  async run(options: { debug?: boolean } = {}): Promise<void> {
    if (options.debug) setLogging('debug');
    await this.#ops.start();
    this.#startConsuming();
    await this.#stoppedSignal;
    if (this.#fatal !== undefined) throw this.#fatal;
  }

  /**
   * Consumes for tests: resolves after the queues have been idle for `idleMs`, `count` times, with how many
   * messages were handled meanwhile. Consumption goes on afterwards until `stop()`.
   * @example app.queue('q', handler); await client.queue('q').publish(1); await app.read();
   */
  async read(count = 1, idleMs = 100): Promise<number> {
    const before = this.#completed();
    this.#startConsuming();
    await Promise.all([...this.#queues.values()].map((queue) => queue.subscription));
    for (let round = 0; round < count && !this.#stopPromise; round += 1) {
      let seen = -1;
      while (!this.#stopPromise && (seen !== this.#completed() || !this.#idle())) {
        seen = this.#completed();
        await new Promise((resolve) => setTimeout(resolve, idleMs));
      }
    }
    return this.#completed() - before;
  }

  /**
   * Stops consuming, lets running handlers finish (up to `drainTimeoutMs`, or the `deadline`/`signal` given
   * here, which replace it: the root `run(...)` passes its own), settles every message, and closes the
   * connection; handlers cut off are aborted and their messages requeued. Works at any time, also before
   * `run()`, and more than once (a later deadline or signal still cuts a drain already under way).
   * @example process.on('SIGTERM', () => void app.stop());
   * @example await app.stop({ deadline: Date.now() + 5_000 });
   */
  stop(options: QueueStopOptions = {}): Promise<void> {
    this.#drainLimit.add(options);
    this.#stopPromise ??= this.#shutdown();
    return this.#stopPromise;
  }

  async #shutdown(): Promise<void> {
    this.logger.info('Try to stop microservice draining events');
    this.#ops.draining();
    this.#stopController.abort(ERRORS.MS_QUEUE_STOPPED(`${this.name} is stopping`));
    const drainTimeout = this.#drainLimit.bounded ? undefined : (drainTimeoutMs(this.#options) ?? 10_000);
    await Promise.all(
      [...this.#queues.values()].map(async (queue) => {
        const subscription = await queue.subscription?.catch(() => undefined);
        await subscription
          ?.cancel()
          .catch((error: unknown) => logWith(this.logger, 'warn', { err: error }, 'cancel failed'));
        await queue.runner?.stop(drainTimeout, this.#drainLimit.signal);
      }),
    );
    const transport = await this.#transportPromise?.catch(() => undefined);
    if (transport && this.#connection.owned) {
      await transport.close().catch((error: unknown) => logWith(this.logger, 'warn', { err: error }, 'close failed'));
    }
    await this.#ops.closed().catch((error: unknown) => this.logger.warn(`onClose failed: ${String(error)}`));
    this.#drainLimit.dispose();
    this.#isStopped = true;
    this.logger.info('Stopped draining events.');
    this.#resolveStopped();
  }

  #completed(): number {
    let total = 0;
    for (const queue of this.#queues.values()) total += queue.runner?.completed ?? 0;
    return total;
  }

  #idle(): boolean {
    for (const queue of this.#queues.values()) if (queue.runner && !queue.runner.idle) return false;
    return true;
  }

  #connect(): Promise<Transport> {
    this.#connected ??= (async () => {
      try {
        this.#transportPromise ??= this.#connection.create().then((created) => this.#watch(created));
        const transport = await this.#transportPromise;
        await transport.connect(this.#stopController.signal);
      } catch (error) {
        if (!this.#stopController.signal.aborted) {
          // A configuration error (bad URL, unknown scheme, refused credentials, missing package) makes run()
          // reject with it; giving up on an unreachable broker with reconnect disabled ends run() quietly, as
          // in the seed.
          if ((error as { code?: unknown } | null)?.code !== CODES.MS_QUEUE_CONNECT_FAILED) this.#fatal ??= error;
          logWith(
            this.logger,
            'error',
            { err: error },
            `Connection error, cause: ${describeFailure(error).message}. Giving up.`,
          );
          void this.stop();
        }
        throw error;
      }
      const transport = await this.#transportPromise;
      this.#hasConnected = true;
      this.logger.info('Connected to mq broker');
      return transport;
    })();
    return this.#connected;
  }

  /** Logs the transport's connection events the way the seed did ("Connection error, cause: … Reconnecting..."). */
  #watch(transport: Transport): Transport {
    this.#ops.watch(transport);
    let cause = 'the connection was lost';
    transport.on('disconnected', (error) => {
      if (error) cause = error.message;
      if (!this.#stopPromise) this.logger.warn(`Connection to mq has broken off because: ${cause}`);
    });
    transport.on('reconnecting', (attempt, delayMs) => {
      this.logger.error(`Connection error, cause: ${cause}. Reconnecting... (attempt ${attempt} in ${delayMs} ms)`);
    });
    transport.on('connected', () => {
      // The first connection is logged by connect(); this one is a reconnect.
      if (this.#hasConnected) this.logger.info('Connected to mq broker');
    });
    transport.on('blocked', (reason) => this.logger.warn(`the broker blocks publishing: ${reason}`));
    return transport;
  }

  #declare(queue: RegisteredQueue): Promise<void> {
    queue.declared ??= (async () => {
      const transport = await this.#connect();
      await declareServiceQueue(transport, queue.rule.name, queue.options);
    })();
    return queue.declared;
  }

  #startConsuming(): void {
    if (this.#consuming || this.#stopPromise) return;
    this.#consuming = true;
    // Connects even with no queue registered, so that a bad URL or refused login still ends run().
    void this.#connect().catch(() => {});
    for (const queue of this.#queues.values()) this.#subscribe(queue);
  }

  #subscribe(queue: RegisteredQueue): void {
    const workers = this.#options.workers ?? 0;
    const ruleOptions = queue.options;
    const prefetch =
      workers > 0 && (this.#options.workersOverridePrefetch ?? true)
        ? workers
        : (ruleOptions.prefetchCount ?? this.#options.prefetchCount ?? (workers > 0 ? workers : DEFAULT_PREFETCH));
    const runner = new HandlerRunner(queue.rule, {
      concurrency: Math.max(1, workers),
      timeoutMs: ruleOptions.timeoutMs,
      raw: ruleOptions.raw ?? false,
      retry: resolveRetry(ruleOptions.retry ?? this.#options.retry),
      parseJson: ruleOptions.parseJson ?? this.#options.parseJson,
      metrics: this.#ops.metrics,
      responder: new Responder({
        transport: () => this.#connect(),
        exposeErrors: this.#options.exposeErrors ?? false,
        logger: queue.rule.logger,
        reply: replyOf(queue.rule),
      }),
    });
    queue.runner = runner;
    queue.subscription = (async () => {
      await this.#declare(queue);
      const transport = await this.#connect();
      if (this.#stopPromise) return undefined;
      return transport.consume(queue.rule.name, runner.onDelivery, { prefetch });
    })().catch((error: unknown) => {
      if (!this.#stopController.signal.aborted) {
        logWith(this.logger, 'error', { err: error, queue: queue.rule.name }, `cannot consume "${queue.rule.name}"`);
      }
      return undefined;
    });
  }
}

export type { HandlerContext };
/** The queue service under the name the root package exports. */
export { Microservice as QueueService };

/** The reply schema a queue was registered with, for its responder. */
function replyOf(rule: QueueRule): { schema: AnySchema; queue: string } | undefined {
  const schema = rule.options.reply as AnySchema | undefined;
  return schema === undefined ? undefined : { schema, queue: rule.name };
}
