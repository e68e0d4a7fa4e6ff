/**
 * W3C trace context (`traceparent`, `tracestate`) in message headers. Every transport carries string headers
 * (AMQP headers, Redis stream fields, NATS headers, MQTT 5 user properties, the memory broker's objects); some
 * hand a value back as a Buffer or a list, which the getter reads too.
 */
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

type Headers = Readonly<Record<string, unknown>>;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return text(value[0]);
  return undefined;
}

/** Reads trace headers from a delivery's headers. */
export const headerGetter: TextMapGetter<Headers | undefined> = {
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
  get: (carrier, key) => {
    if (!carrier) return undefined;
    return text(carrier[key] ?? carrier[key.toLowerCase()]);
  },
};

/** Writes trace headers into a fresh headers object. */
export const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};
