/**
 * A producer span per publish and a consumer span per handled message (OpenTelemetry messaging conventions:
 * `send <destination>`, `process <queue>`), linked through W3C `traceparent`/`tracestate` message headers.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { headerGetter, headerSetter } from './carrier.js';
import { isLive, recordFailure, tracer, tracingInstalled } from './tracer.js';

type Headers = Readonly<Record<string, unknown>>;

/** The part of an outgoing message tracing reads and writes. */
export interface TracedMessage<M> {
  readonly properties: { readonly headers?: Headers; readonly messageId?: string };
  /** The same message with these properties (the trace context goes into a copy, never the caller's). */
  withProperties(properties: this['properties']): M;
}

/** Where a publish goes. */
export interface PublishTrace {
  /** `messaging.system`: `rabbitmq`, `redis`, `nats`, `mqtt` or `memory`. */
  readonly system: string | undefined;
  readonly exchange: string;
  readonly routingKey: string;
}

const SYSTEMS: Readonly<Record<string, string>> = {
  amqp: 'rabbitmq',
  amqps: 'rabbitmq',
  redis: 'redis',
  rediss: 'redis',
  nats: 'nats',
  mqtt: 'mqtt',
  mqtts: 'mqtt',
  memory: 'memory',
};

/**
 * The `messaging.system` of a connection's display URL (`amqp://…` is `rabbitmq`), or undefined.
 * @example messagingSystem('amqp://guest:**@localhost/'); // 'rabbitmq'
 */
export function messagingSystem(url: string): string | undefined {
  const colon = url.indexOf(':');
  return colon === -1 ? undefined : SYSTEMS[url.slice(0, colon).toLowerCase()];
}

/**
 * Publishes `message` under a producer span, with the span's context added to its headers. Without an SDK
 * the message goes out untouched.
 * @example await tracedPublish({ system: 'rabbitmq', exchange: '', routingKey: 'q' }, message, (m) => transport.publish(target, m));
 */
export function tracedPublish<M extends TracedMessage<M>>(
  target: PublishTrace,
  message: M,
  publish: (message: M) => Promise<void>,
): Promise<void> {
  if (!tracingInstalled()) return publish(message);
  const destination = target.exchange || target.routingKey;
  const span = tracer().startSpan(`send ${destination}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      ...(target.system === undefined ? {} : { 'messaging.system': target.system }),
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': destination,
      ...(target.exchange && target.routingKey
        ? { 'messaging.rabbitmq.destination.routing_key': target.routingKey }
        : {}),
      ...(message.properties.messageId === undefined ? {} : { 'messaging.message.id': message.properties.messageId }),
    },
  });
  if (!isLive(span)) return publish(message);
  const spanContext = trace.setSpan(context.active(), span);
  const headers: Record<string, unknown> = { ...message.properties.headers };
  propagation.inject(spanContext, headers, headerSetter);
  const traced = message.withProperties({ ...message.properties, headers });
  return context
    .with(spanContext, () => publish(traced))
    .then(
      () => span.end(),
      (error: unknown) => {
        recordFailure(span, error);
        span.end();
        throw error;
      },
    );
}

/** What the consumer span says about a delivery. */
export interface HandleTrace {
  readonly queue: string;
  readonly headers: Headers | undefined;
  readonly messageId: string | undefined;
  readonly attempt: number;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Runs a handler call under a consumer span whose parent is the publisher's context from the headers; the
 * span ends when the call (or the promise it returns) settles, marked as an error if it failed.
 * @example const result = tracedHandle({ queue: 'q', headers, messageId, attempt: 1 }, () => handler(payload, ctx));
 */
export function tracedHandle<R>(delivery: HandleTrace, run: () => R): R {
  if (!tracingInstalled()) return run();
  const parent = propagation.extract(context.active(), delivery.headers, headerGetter);
  const span = tracer().startSpan(
    `process ${delivery.queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': delivery.queue,
        'messaging.message.delivery_count': delivery.attempt,
        ...(delivery.messageId === undefined ? {} : { 'messaging.message.id': delivery.messageId }),
      },
    },
    parent,
  );
  if (!isLive(span)) return run();
  let result: R;
  try {
    result = context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    recordFailure(span, error);
    span.end();
    throw error;
  }
  if (!isThenable(result)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      recordFailure(span, error);
      span.end();
      throw error;
    },
  ) as R;
}
