/**
 * Issue 13 item 4: one trace across HTTP and messages. A request to service A publishes; the queue worker
 * consumes and calls service B with the HTTP client. Every hop is one span of the same trace, each the
 * child of the one before: server A -> send -> process -> client -> server B.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as HttpClient } from '../../../src/client/index.js';
import { Microservice as HttpService } from '../../../src/http/index.js';
import { Client as QueueClient, Microservice as QueueService } from '../../../src/queues/index.js';
import { installSdk, parentOf, type TestSdk } from './sdk.js';

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
});
afterAll(async () => {
  await sdk.uninstall();
});

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('tracing across HTTP and messages (issue 13 item 4)', () => {
  it('HTTP request -> publish -> consume -> HTTP client call -> second service is one trace', async () => {
    const broker = `memory://trace-${process.pid}`;
    const second = new HttpService('second');
    const seen: Array<string | undefined> = [];
    second.get('/notes/<int:id>/', (request) => {
      seen.push(request.headers.traceparent as string | undefined);
      return { id: request.params.id };
    });
    const secondAddress = await second.listen({ port: 0 });
    const http = new HttpClient(`${secondAddress}/`);
    const worker = new QueueService({ connection: broker });
    const results: unknown[] = [];
    worker.queue('notes.created', async (payload) => {
      results.push(await http.get('notes', String((payload as { id: number }).id), { key: 'id' }));
    });
    const events = new QueueClient({ connection: broker });
    const first = new HttpService('first');
    first.post('/notes/', async (request) => {
      await events.queue('notes.created').publish(request.data as object);
      return { queued: true };
    });
    const firstAddress = await first.listen({ port: 0 });
    await worker.ready();
    void worker.run();
    try {
      const response = await fetch(`${firstAddress}/notes/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ id: 7 }),
      });
      expect(response.status).toBe(200);
      await until('the second service to answer the worker', () => results.length === 1);
      expect(results).toEqual([7]);
      await until('five spans', () => sdk.spans().length >= 5);
    } finally {
      await worker.stop();
      await events.close();
      await http.close();
      await first.close();
      await second.close();
    }
    const spans = sdk.spans();
    const byName = (name: string) => {
      const found = spans.filter((span) => span.name === name);
      expect(found, `one span named ${name} in ${spans.map((span) => span.name).join(', ')}`).toHaveLength(1);
      return found[0] as (typeof found)[number];
    };
    const serverA = byName('POST /notes/');
    const send = byName('send notes.created');
    const consume = byName('process notes.created');
    const client = byName('GET');
    const serverB = byName('GET /notes/<int:id>/');
    expect(serverA.kind).toBe(SpanKind.SERVER);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(consume.kind).toBe(SpanKind.CONSUMER);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(serverB.kind).toBe(SpanKind.SERVER);
    const traceId = serverA.spanContext().traceId;
    for (const span of [send, consume, client, serverB]) expect(span.spanContext().traceId).toBe(traceId);
    expect(parentOf(serverA)).toBeUndefined();
    expect(parentOf(send)).toBe(serverA.spanContext().spanId);
    expect(parentOf(consume)).toBe(send.spanContext().spanId);
    expect(parentOf(client)).toBe(consume.spanContext().spanId);
    expect(parentOf(serverB)).toBe(client.spanContext().spanId);
    expect(serverA.attributes['http.route']).toBe('/notes/');
    expect(serverA.attributes['http.response.status_code']).toBe(200);
    expect(serverB.attributes['http.route']).toBe('/notes/<int:id>/');
    expect(send.attributes['messaging.system']).toBe('memory');
    expect(send.attributes['messaging.destination.name']).toBe('notes.created');
    expect(consume.attributes['messaging.message.id']).toBe(send.attributes['messaging.message.id']);
    expect(seen[0]).toMatch(new RegExp(`^00-${traceId}-${client.spanContext().spanId}-01$`));
  });

  it('a failing handler marks its consumer span as an error; a 500 marks the server span', async () => {
    const broker = `memory://trace-fail-${process.pid}`;
    const worker = new QueueService({ connection: broker, retry: { maxRetries: 0 } });
    worker.queue('fails', () => {
      throw new Error('boom');
    });
    const events = new QueueClient({ connection: broker });
    const app = new HttpService('fails');
    app.get('/boom/', () => {
      throw new Error('kaput');
    });
    await worker.ready();
    void worker.run();
    try {
      await trace.getTracer('test').startActiveSpan('root', async (root) => {
        await events.queue('fails').publish(1);
        root.end();
      });
      expect((await app.inject('/boom/')).statusCode).toBe(500);
      await until('the consumer span', () => sdk.spans().some((span) => span.name === 'process fails'));
    } finally {
      await worker.stop();
      await events.close();
    }
    const consumer = sdk.spans().find((span) => span.name === 'process fails');
    expect(consumer?.status.code).toBe(2);
    expect(consumer?.events.map((event) => event.name)).toContain('exception');
    const server = sdk.spans().find((span) => span.name === 'GET /boom/');
    expect(server?.status.code).toBe(2);
    expect(server?.attributes['http.response.status_code']).toBe(500);
  });
});

describe('tracing with the HTTP instrumentation already running (no second server span)', () => {
  it('renames the active span after the rule and adds http.route instead of starting its own', async () => {
    const app = new HttpService('instrumented');
    app.get('/items/<int:id>/', (request) => ({ id: request.params.id }));
    const address = await app.listen({ port: 0 });
    // What @opentelemetry/instrumentation-http does: it wraps the server's 'request' event in its server span.
    const outer = trace.getTracer('instrumentation-http').startSpan('GET', { kind: SpanKind.SERVER });
    const server = app.fastify.server;
    const emit = server.emit.bind(server);
    server.emit = ((event: string, ...args: unknown[]) =>
      event === 'request'
        ? context.with(trace.setSpan(context.active(), outer), () => emit(event, ...args))
        : emit(event, ...args)) as typeof server.emit;
    let response: Response;
    try {
      response = await fetch(`${address}/items/3/`, { headers: { accept: 'application/json' } });
      await response.arrayBuffer();
    } finally {
      outer.end();
      await app.close();
    }
    expect(response.status).toBe(200);
    const servers = sdk.spans().filter((span) => span.kind === SpanKind.SERVER && span.name.includes('/items/'));
    expect(servers).toHaveLength(1);
    expect(servers[0]?.spanContext().spanId).toBe(outer.spanContext().spanId);
    expect(servers[0]?.name).toBe('GET /items/<int:id>/');
    expect(servers[0]?.attributes['http.route']).toBe('/items/<int:id>/');
  });
});
