/**
 * The toolkit's tracer, looked up from the registered provider each time a span starts (only when an SDK is
 * installed, see {@link tracingInstalled}). A tracer kept from module load would stay bound to the API's proxy
 * provider of that moment, which `trace.disable()` replaces: an SDK registered again afterwards (test suites
 * do this) would never see the toolkit's spans.
 */
import {
  isSpanContextValid,
  ProxyTracerProvider,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

export function tracer(): Tracer {
  return trace.getTracer('microservices-ts');
}

// What an unset proxy delegates to: the API's one no-op provider.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an SDK registered a tracer provider. Without one every span is a no-op, so the callers skip building
 * span names, attributes and contexts at all: that work cost the memory transport a third of its throughput
 * (bench, `npm run bench -- --only queues`). A provider from another copy of the API counts as installed.
 */
export function tracingInstalled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

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
