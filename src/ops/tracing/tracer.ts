/**
 * The toolkit's tracer. `trace.getTracer` hands back a proxy that follows whatever provider the application
 * registers later, so one module-level tracer is enough; without an SDK every span is a no-op.
 */
import { isSpanContextValid, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

export const tracer = trace.getTracer('microservices-ts');

/**
 * Whether a span needs anything from us: a no-op span (no SDK, or tracing off) has an invalid context, so the
 * callers skip context switching and header injection for it, which keeps the no-SDK cost to one call.
 */
export function isLive(span: Span): boolean {
  return isSpanContextValid(span.spanContext());
}

/** Marks `span` failed with `error` (recorded as an exception event) without ending it. */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
