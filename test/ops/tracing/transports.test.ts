/**
 * Issue 13 item 4: W3C trace context survives the broker on every transport (AMQP headers, Redis stream
 * fields, NATS headers, MQTT 5 user properties, memory), so the consumer span is the child of the producer
 * span. A broker that is down skips its case with the reason printed, unless REQUIRE_BROKERS=1.
 */
import { randomUUID } from 'node:crypto';
import { context, createTraceState, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../../src/queues/index.js';
import { mosquitto, nats, rabbitmq, redis, type ServiceCheck } from '../../helpers/services.js';
import { installSdk, parentOf, type TestSdk } from './sdk.js';

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
});
afterAll(async () => {
  await sdk.uninstall();
});

const available = async (): Promise<ServiceCheck> => ({ name: 'memory', available: true, skip: false, reason: '' });

const TRANSPORTS: ReadonlyArray<readonly [string, () => Promise<ServiceCheck>, string]> = [
  ['memory', available, `memory://tracing-${process.pid}`],
  ['amqp', rabbitmq, process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/'],
  ['redis', redis, 'redis://127.0.0.1:6379/11?prefix=tracing:'],
  ['nats', nats, 'nats://127.0.0.1:4222/'],
  ['mqtt', mosquitto, 'mqtt://127.0.0.1:1883/?sessionExpiry=60'],
];

for (const [label, check, url] of TRANSPORTS) {
  describe(`trace context over ${label}`, async () => {
    const service = await check();
    it.skipIf(service.skip)(
      `traceparent and tracestate survive ${label}: the consumer span is the producer's child${service.skip ? ` (${service.reason})` : ''}`,
      async () => {
        const queue = `tracing.${label}.${randomUUID().slice(0, 8)}`;
        const worker = new Microservice({ connection: url, reconnectEnable: false });
        const received: Array<Readonly<Record<string, unknown>>> = [];
        worker.queue(queue, (_payload, context) => {
          received.push(context.message.headers);
        });
        const client = new Client({ connection: url });
        try {
          await worker.ready();
          void worker.run();
          // A caller whose trace carries vendor state: both headers must reach the consumer.
          const remote = trace.setSpanContext(ROOT_CONTEXT, {
            traceId: randomUUID().replaceAll('-', ''),
            spanId: randomUUID().replaceAll('-', '').slice(0, 16),
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
            traceState: createTraceState('vendor=state'),
          });
          await context.with(remote, () => client.queue(queue).publish({ n: 1 }, { headers: { h1: 'v1' } }));
          const deadline = Date.now() + 10_000;
          while (!sdk.spans().some((span) => span.name === `process ${queue}`) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        } finally {
          await worker.stop();
          await client.deleteQueue(queue).catch(() => undefined);
          await client.deleteQueue(`${queue}.dead-letter`).catch(() => undefined);
          await client.close();
        }
        const send = sdk.spans().find((span) => span.name === `send ${queue}`);
        const consume = sdk.spans().find((span) => span.name === `process ${queue}`);
        expect(send, 'the producer span').toBeDefined();
        expect(consume, 'the consumer span').toBeDefined();
        expect(consume?.spanContext().traceId).toBe(send?.spanContext().traceId);
        expect(parentOf(consume as NonNullable<typeof consume>)).toBe(send?.spanContext().spanId);
        expect(received).toHaveLength(1);
        const headers = received[0] ?? {};
        const traceparent = Buffer.isBuffer(headers.traceparent) ? headers.traceparent.toString() : headers.traceparent;
        expect(traceparent).toBe(`00-${send?.spanContext().traceId}-${send?.spanContext().spanId}-01`);
        expect(String(headers.tracestate)).toBe('vendor=state');
        expect(consume?.spanContext().traceState?.get('vendor')).toBe('state');
        expect(headers.h1).toBe('v1');
      },
    );
  });
}
