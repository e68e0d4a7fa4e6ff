/**
 * A server span per HTTP request, named `METHOD rule` after the service's route rule. When a span is already
 * active as the request starts (`@opentelemetry/instrumentation-http` made one), that span is renamed and
 * given `http.route` instead of starting a second server span under it.
 */
import { type Context, context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLive, tracer, tracingInstalled } from './tracer.js';

interface RequestSpan {
  readonly span: Span;
  readonly context: Context;
  /** False when the span belongs to the HTTP instrumentation, which ends it. */
  readonly own: boolean;
  ended: boolean;
}

const SPAN: unique symbol = Symbol('microservices-ts request span');
type TracedRequest = FastifyRequest & { [SPAN]?: RequestSpan };

const requestHeaders = {
  keys: (carrier: FastifyRequest['headers']) => Object.keys(carrier),
  get: (carrier: FastifyRequest['headers'], key: string) => carrier[key],
};

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function start(request: FastifyRequest, rule: string | undefined): RequestSpan | undefined {
  if (!tracingInstalled()) return undefined;
  const name = rule === undefined ? request.method : `${request.method} ${rule}`;
  const active = trace.getSpan(context.active());
  if (active && isLive(active)) {
    active.updateName(name);
    if (rule !== undefined) active.setAttribute('http.route', rule);
    return { span: active, context: context.active(), own: false, ended: false };
  }
  const parent = propagation.extract(context.active(), request.headers, requestHeaders);
  const span = tracer().startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'url.path': pathOf(request.url),
        'url.scheme': request.protocol,
        ...(rule === undefined ? {} : { 'http.route': rule }),
      },
    },
    parent,
  );
  if (!isLive(span)) return undefined;
  return { span, context: trace.setSpan(parent, span), own: true, ended: false };
}

function end(state: RequestSpan, status: number | undefined): void {
  if (state.ended) return;
  state.ended = true;
  if (status === undefined) state.span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' });
  else {
    state.span.setAttribute('http.response.status_code', status);
    if (status >= 500) state.span.setStatus({ code: SpanStatusCode.ERROR });
  }
  if (state.own) state.span.end();
}

/**
 * Installs the span hooks: the span starts in `onRequest` (the route is known by then), the handler runs inside
 * its context (`preHandler` re-enters it, since reading the body loses the async context), and it ends as an
 * error in `onRequestAbort`. Returns the function that ends it with the status, for the caller's own
 * `onResponse` hook (the HTTP service runs one hook for all its per-response work).
 * @example const endSpan = traceHttpRequests(app.fastify, (request) => groupOf(request)?.rule.rule);
 */
export function traceHttpRequests(
  fastify: FastifyInstance,
  ruleOf: (request: FastifyRequest) => string | undefined,
): (request: FastifyRequest, reply: FastifyReply) => void {
  fastify.addHook('onRequest', (request: TracedRequest, _reply, done) => {
    const state = start(request, ruleOf(request));
    if (state === undefined) return done();
    request[SPAN] = state;
    context.with(state.context, done);
  });
  fastify.addHook('preHandler', (request: TracedRequest, _reply, done) => {
    const state = request[SPAN];
    if (state === undefined) return done();
    context.with(state.context, done);
  });
  fastify.addHook('onRequestAbort', (request: TracedRequest, done) => {
    const state = request[SPAN];
    if (state !== undefined) end(state, undefined);
    done();
  });
  return (request: TracedRequest, reply) => {
    const state = request[SPAN];
    if (state !== undefined) end(state, reply.statusCode);
  };
}
