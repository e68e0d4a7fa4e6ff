/**
 * The one interface every broker implements (memory, AMQP, Redis Streams, NATS JetStream, MQTT), so that a
 * service or client moves between brokers by changing its connection URL. The queue service and client
 * (`../service.ts`, `../client.ts`) only ever talk to a `Transport`; broker specifics stay in its file.
 *
 * Contract, for every implementation:
 * - `publish()` settles only on the broker's acknowledgement (AMQP confirm, XADD reply, PubAck, PUBACK; the
 *   memory broker confirms once the message is enqueued). It rejects on a broker refusal (nack, unroutable),
 *   on close, and after `timeoutMs` (10 s by default). It never resolves early and never stays pending.
 * - A consumer receives each `Delivery` at least once. `ack()` and `nack()` never throw for a delivery whose
 *   connection or channel has gone: they return `false`, the transport logs it and the broker redelivers.
 * - `deliveryCount` is 1 on the first delivery and counts every redelivery, whatever the mechanism
 *   (native counter, `redelivered` flag plus a header, a republished copy's header).
 * - After a reconnect the transport re-declares the topology it was asked to declare and re-subscribes every
 *   live consumer by itself, then emits `connected` again.
 */

/** Routing of an exchange: direct (exact key), fanout (every bound queue), topic (`*` one word, `#` zero or more). */
export type ExchangeType = 'direct' | 'fanout' | 'topic';

export interface QueueOptions {
  /** Survives a broker restart. Default true. */
  readonly durable?: boolean;
  /**
   * Where `nack({requeue: false})` sends a message: a queue name, or `false` to drop it. Transports with
   * native dead-lettering (AMQP) use it; the others publish to this queue themselves.
   */
  readonly deadLetterQueue?: string | false;
  /** Highest honoured message priority (AMQP `x-max-priority`); only where `capabilities.maxPriority` is set. */
  readonly maxPriority?: number;
}

export interface ExchangeOptions {
  readonly type: ExchangeType;
  /** Default true. */
  readonly durable?: boolean;
  /** Delete the exchange once its last queue is unbound; only where `capabilities.exchangeOptions` has it. */
  readonly autoDelete?: boolean;
  /** Broker-specific exchange arguments; only where `capabilities.exchangeOptions` has `arguments`. */
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** Message attributes that travel with the body; names follow AMQP basic properties in camelCase. */
export interface MessageProperties {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Stable id, set by the client when absent, so consumers can deduplicate retried publishes. */
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  /** Milliseconds after which the broker may drop the message. */
  readonly expiration?: number;
  readonly priority?: number;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number;
  readonly type?: string;
  readonly appId?: string;
  /** Default true: the broker writes the message to disk where it can. */
  readonly persistent?: boolean;
}

export interface OutgoingMessage {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  /**
   * The body as a string, when the producer had it as text (JSON and string payloads): `body` holds its
   * UTF-8 bytes. A transport whose client sends strings (ioredis, mqtt.js) passes this on and never reads
   * `body`, which the queue client then does not build at all (its `body` is a getter: copy a message by
   * naming `body`, not by spreading it). Absent for binary bodies.
   */
  readonly text?: string | undefined;
}

/** Where a message goes: `exchange: ''` is the default exchange, which routes by queue name. */
export interface PublishTarget {
  readonly exchange: string;
  readonly routingKey: string;
}

export interface PublishOptions {
  /** Reject with a timeout error when the broker has not acknowledged within this many ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Aborts waiting; the message may or may not have reached the broker. */
  readonly signal?: AbortSignal;
  /**
   * Deliver no earlier than this many ms from now (queue publishes only); see `capabilities.delayedDelivery`
   * for whether the held-back message survives a restart.
   */
  readonly delayMs?: number;
}

export interface DeliveryInfo {
  readonly exchange: string;
  readonly routingKey: string;
  readonly consumerTag: string;
  readonly deliveryTag: string | number;
  readonly redelivered: boolean;
}

export interface NackOptions {
  /** true: deliver again; false: dead-letter (or drop when the queue has no dead-letter queue). */
  readonly requeue: boolean;
  /** With `requeue: true`, wait this long before the message is delivered again. */
  readonly delayMs?: number;
  /** With `requeue: false`, headers added to the dead-lettered copy (the service puts the error and attempt here). */
  readonly headers?: Readonly<Record<string, unknown>>;
}

/** One message handed to a consumer. Exactly one of ack/nack takes effect; later calls return false. */
export interface Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly deliveryInfo: DeliveryInfo;
  /** 1 on the first delivery, then counts every redelivery. */
  readonly deliveryCount: number;
  /** True once ack or nack has been called. */
  readonly settled: boolean;
  /** Removes the message from the queue. Resolves false when the channel it came on is gone (logged). */
  ack(): Promise<boolean>;
  /**
   * Gives the message back: `requeue: true` redelivers it (after `delayMs` when given, counting the delivery);
   * `requeue: false` sends it to the queue's dead-letter queue, or drops it when there is none.
   */
  nack(options: NackOptions): Promise<boolean>;
  /** Tells the broker the handler is still working, for brokers with an ack deadline (JetStream AckWait, Redis min-idle). */
  touch?(): Promise<void>;
}

export interface ConsumeOptions {
  /** The most unacknowledged deliveries this consumer holds at once. */
  readonly prefetch: number;
  /** Names the consumer; also the consumer group member name where the broker has groups. */
  readonly consumerTag?: string;
}

export interface Subscription {
  readonly consumerTag: string;
  /** Stops new deliveries; deliveries already handed out can still be acked or nacked. */
  cancel(): Promise<void>;
}

/** The handler a transport calls per delivery; the transport does not wait for it beyond the prefetch window. */
export type DeliveryHandler = (delivery: Delivery) => void;

export interface TransportEvents {
  connected: [];
  disconnected: [error?: Error];
  reconnecting: [attempt: number, delayMs: number];
  /** The broker refuses publishes for now (AMQP resource alarm); publishes wait or time out. */
  blocked: [reason: string];
  unblocked: [];
  error: [error: Error];
}

export type TransportEventName = keyof TransportEvents;

export interface TransportCapabilities {
  readonly exchangeTypes: readonly ExchangeType[];
  /** True when the messages survive a broker restart (false for memory). */
  readonly durable: boolean;
  /** True when the broker dead-letters natively; otherwise the transport republishes to the dead-letter queue. */
  readonly nativeDeadLetter: boolean;
  /**
   * The optional `declareExchange` options this transport implements; the client refuses the others with
   * `MS_QUEUE_BAD_OPTION` rather than ignoring them. Absent: none.
   */
  readonly exchangeOptions?: readonly ('autoDelete' | 'arguments')[];
  /**
   * How `publish(…, { delayMs })` holds a message back: `'broker'` on the broker (it survives a restart of the
   * publishing process, and of the broker where it is durable), `'in-process'` in the publishing process (lost
   * when it exits). Absent: no delayed delivery.
   */
  readonly delayedDelivery?: 'broker' | 'in-process';
  /** The highest `maxPriority` a queue may declare; absent or 0: no message priorities (asking for them is refused). */
  readonly maxPriority?: number;
}

export interface Transport {
  /** `scheme://host/...` with any password masked; safe to log. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  readonly connected: boolean;

  /** Connects, retrying with backoff when reconnect is enabled; rejects on `signal` or when giving up. */
  connect(signal?: AbortSignal): Promise<void>;
  /** Cancels consumers, waits for pending publishes to settle, and closes. Idempotent. */
  close(): Promise<void>;

  declareQueue(name: string, options?: QueueOptions): Promise<void>;
  declareExchange(name: string, options: ExchangeOptions): Promise<void>;
  bindQueue(queue: string, exchange: string, routingKey: string): Promise<void>;
  deleteQueue(name: string): Promise<void>;
  deleteExchange(name: string): Promise<void>;
  /** Removes every ready message; resolves to how many were removed. */
  purgeQueue(name: string): Promise<number>;
  /** Resolves true when a declared exchange of that name exists (used to refuse publishing to an unknown one). */
  hasExchange(name: string): Promise<boolean>;

  publish(target: PublishTarget, message: OutgoingMessage, options?: PublishOptions): Promise<void>;
  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription>;

  /**
   * Request/reply (optional; every built-in transport has it): starts receiving the replies addressed to this
   * transport and resolves to the address a request carries as `replyTo`. Called once per transport.
   */
  replies?(onReply: ReplyHandler): Promise<ReplyInbox>;
  /** Sends a reply to `address` (a request's `replyTo`); rejects when the broker refuses it. */
  reply?(address: string, message: OutgoingMessage, options?: PublishOptions): Promise<void>;

  on<E extends TransportEventName>(event: E, listener: (...args: TransportEvents[E]) => void): this;
  off<E extends TransportEventName>(event: E, listener: (...args: TransportEvents[E]) => void): this;
}

/** A reply as it arrives: its `correlationId` names the call it answers. */
export interface IncomingReply {
  readonly body: Buffer;
  readonly properties: MessageProperties;
}

export type ReplyHandler = (reply: IncomingReply) => void;

/** Where a transport's replies arrive. */
export interface ReplyInbox {
  /** The `replyTo` of requests sent through this transport. */
  readonly address: string;
  /** Stops receiving replies (the transport's close() does it too). */
  close(): Promise<void>;
}

/** Reconnect behaviour shared by every network transport. */
export interface ReconnectOptions {
  /** Default true. With false, a lost connection is final and `connect()` tries once. */
  readonly enabled?: boolean;
  /** First delay in ms. Default 1000. */
  readonly initialDelayMs?: number;
  /** Ceiling of the delay in ms. Default 30 000. */
  readonly maxDelayMs?: number;
  /** Give up after this many attempts in a row. Default Infinity. */
  readonly maxAttempts?: number;
}

/** What every transport factory accepts besides its URL. */
export interface TransportOptions {
  readonly reconnect?: ReconnectOptions;
  readonly logger?: import('../../logging.js').Logger;
  /** Default publish timeout in ms. Default 10 000. */
  readonly publishTimeoutMs?: number;
  /** Heartbeat in seconds where the protocol has one. Default 10. */
  readonly heartbeatSeconds?: number;
}
