/**
 * A client span per HTTP client call (retries and redirects included), whose context goes out in the
 * request's `traceparent`/`tracestate` headers so the called service continues the trace.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isLive, recordFailure, tracer, tracingInstalled } from './tracer.js';

type HeaderMap = Record<string, string | string[]>;

/** One traced call: the headers to send, and what to call when it ends. */
export interface ClientCall<H extends HeaderMap> {
  /** The call's headers: a copy with the trace context, or the same object when there is nothing to add. */
  readonly headers: H;
  /** Ends the span with the response's status; returns the response. */
  done<T extends { readonly statusCode: number }>(response: T): T;
  /** Ends the span as failed; rethrows. */
  fail(error: unknown): never;
}

const untraced: Omit<ClientCall<HeaderMap>, 'headers'> = {
  done: (response) => response,
  fail: (error) => {
    throw error;
  },
};

/**
 * Starts the client span of one call. `enabled: false` (the client's `tracing: false`) starts nothing.
 * @example const call = startClientCall('GET', url, headers); const raw = await send(call.headers).then(call.done, call.fail);
 */
export function startClientCall<H extends HeaderMap>(
  method: string,
  url: string,
  headers: H,
  enabled = true,
): ClientCall<H> {
  if (!enabled || !tracingInstalled()) return { ...untraced, headers };
  const span = tracer().startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': method, 'url.full': url },
  });
  if (!isLive(span)) return { ...untraced, headers };
  const traced = { ...headers };
  propagation.inject(trace.setSpan(context.active(), span), traced);
  return {
    headers: traced,
    done: (response) => {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return response;
    },
    fail: (error) => {
      recordFailure(span, error);
      span.end();
      throw error;
    },
  };
}
