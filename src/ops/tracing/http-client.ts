/**
 * A client span per HTTP client call (retries and redirects included), whose context goes out in the
 * request's `traceparent`/`tracestate` headers so the called service continues the trace.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isLive, recordFailure, tracer } from './tracer.js';

type HeaderMap = Record<string, string | string[]>;

/**
 * Sends under a client span; `send` gets the headers to use (a copy with the trace context, or the same
 * object when there is nothing to add).
 * @example const response = await tracedClientCall('GET', url, headers, (traced) => send(traced));
 */
export function tracedClientCall<H extends HeaderMap, T extends { readonly statusCode: number }>(
  method: string,
  url: string,
  headers: H,
  send: (headers: H) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': method, 'url.full': url },
  });
  if (!isLive(span)) return send(headers);
  const spanContext = trace.setSpan(context.active(), span);
  const traced = { ...headers };
  propagation.inject(spanContext, traced);
  return context
    .with(spanContext, () => send(traced))
    .then(
      (response) => {
        span.setAttribute('http.response.status_code', response.statusCode);
        if (response.statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        return response;
      },
      (error: unknown) => {
        recordFailure(span, error);
        span.end();
        throw error;
      },
    );
}
