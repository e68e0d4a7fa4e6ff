/**
 * Issue 10 item 1 at the transport level: with the broker unreachable (a dead port), connect() keeps
 * retrying, and close() must end it promptly: both settle within a second or two, nothing hangs.
 */
import { describe, expect, it } from 'vitest';
import { createTransport } from '../../src/queues/transports/index.js';
import { freePort, outcomeWithin, sleep } from '../conformance/helpers.js';
import { TcpProxy } from '../faults/helpers/tcp-proxy.js';
import { mosquitto, nats, rabbitmq, redis } from '../helpers/services.js';

describe('issue 10 item 1: close() ends a connect to an unreachable broker', () => {
  for (const scheme of ['redis', 'nats', 'mqtt']) {
    it(`${scheme}://127.0.0.1:<dead port>`, async () => {
      const transport = await createTransport(`${scheme}://127.0.0.1:${await freePort()}/`, {
        reconnect: { initialDelayMs: 5000, maxDelayMs: 5000 },
      });
      const connecting = transport.connect();
      connecting.catch(() => {});
      await sleep(500);
      const started = Date.now();
      await transport.close();
      await expect(connecting).rejects.toBeDefined();
      expect(Date.now() - started).toBeLessThan(3000);
    });
  }
});

/**
 * A half-open connection (a partition, a peer gone without a FIN) answers nothing until heartbeats give up,
 * tens of seconds later: AMQP's consumer cancel, NATS's flush and MQTT's clean end (which waits for every
 * in-flight QoS 1 packet) held close() that long, MQTT's for more than 4 minutes. Each step now waits 3 s at most
 * (core/close-step.ts). `blackhole` drops bytes both ways; `mute` drops what the client sends but still
 * forwards the broker's (its requests go unanswered while it still hears the broker).
 */
const BROKERS = [
  { scheme: 'amqp', port: 5672, auth: 'guest:guest@', check: rabbitmq },
  { scheme: 'redis', port: 6379, auth: '', check: redis },
  { scheme: 'nats', port: 4222, auth: '', check: nats },
  { scheme: 'mqtt', port: 1883, auth: '', check: mosquitto },
] as const;

for (const broker of BROKERS) {
  const check = await broker.check();
  describe.skipIf(check.skip)(`${broker.scheme}: close() on a half-open connection`, () => {
    for (const mode of ['blackhole', 'mute'] as const) {
      it(`ends within 10 s with a consumer and a publish in flight (${mode})`, async () => {
        const proxy = new TcpProxy('127.0.0.1', broker.port);
        const queue = `half-open.${broker.scheme}.${mode}.${process.pid}`;
        try {
          const port = await proxy.listen();
          const transport = await createTransport(`${broker.scheme}://${broker.auth}127.0.0.1:${port}/`, {
            reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
            publishTimeoutMs: 1000,
          });
          await transport.connect();
          await transport.declareQueue(queue);
          await transport.consume(queue, (delivery) => void delivery.ack(), { prefetch: 5 });
          await transport.publish({ exchange: '', routingKey: queue }, { body: Buffer.from('before'), properties: {} });
          proxy.setMode(mode);
          const inFlight = transport
            .publish({ exchange: '', routingKey: queue }, { body: Buffer.from('during'), properties: {} })
            .then(
              () => 'confirmed',
              (error: { code?: string }) => error.code,
            );
          expect(await outcomeWithin(transport.close(), 10_000)).toBe('resolved');
          // The publish was answered by its own deadline, not left pending.
          expect(await inFlight).toBe('MS_QUEUE_PUBLISH_TIMEOUT');
        } finally {
          await proxy.close();
          const cleaner = await createTransport(`${broker.scheme}://${broker.auth}127.0.0.1:${broker.port}/`);
          await cleaner.connect();
          await cleaner.deleteQueue(queue).catch(() => undefined);
          await cleaner.close();
        }
      });
    }
  });
}
