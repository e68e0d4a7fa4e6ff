/**
 * The transports whose client library leaves Nagle's algorithm on (amqplib, MQTT.js) turn it off on their
 * sockets (issue 16). With Nagle on, a small frame written while an earlier segment is unacknowledged (a
 * PUBACK, a batched basic.ack) waits for the broker's delayed ACK: stalls of about 40 ms, which left MQTT
 * bench runs idle for a tenth to a fifth of the time. The spy sees every socket of the process; the transports under test
 * are the only ones opened in these tests.
 */
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { AmqpTransport } from '../../src/queues/transports/amqp/index.js';
import { createMqttTransport } from '../../src/queues/transports/mqtt/index.js';
import { mosquitto, rabbitmq } from '../helpers/services.js';

/** The distinct sockets `setNoDelay(true)` was called on while `run` ran. */
async function socketsWithoutDelay(run: () => Promise<void>): Promise<number> {
  const spy = vi.spyOn(Socket.prototype, 'setNoDelay');
  try {
    await run();
    return new Set(spy.mock.contexts.filter((_, call) => spy.mock.calls[call]?.[0] === true)).size;
  } finally {
    spy.mockRestore();
  }
}

const amqpCheck = await rabbitmq();

describe.skipIf(amqpCheck.skip)('Nagle off on RabbitMQ (issue 16)', () => {
  it("turns Nagle off on the AMQP transport's connection", async () => {
    const transport = new AmqpTransport(new URL('amqp://guest:guest@127.0.0.1:5672/'), {});
    try {
      expect(await socketsWithoutDelay(() => transport.connect())).toBe(1);
    } finally {
      await transport.close();
    }
  });
});

const mqttCheck = await mosquitto();

describe.skipIf(mqttCheck.skip)('Nagle off on Mosquitto (issue 16)', () => {
  it('turns Nagle off on the control connection and on each queue session', async () => {
    const transport = await createMqttTransport(new URL('mqtt://127.0.0.1:1883/?sessionExpiry=60'), {});
    const queue = `t.nodelay.${randomUUID()}`;
    try {
      const sockets = await socketsWithoutDelay(async () => {
        await transport.connect();
        await transport.declareQueue(queue, {});
        const subscription = await transport.consume(queue, (delivery) => void delivery.ack(), { prefetch: 5 });
        await subscription.cancel();
      });
      // The control connection and the queue's session (a declaration may add a short-lived one).
      expect(sockets).toBeGreaterThanOrEqual(2);
    } finally {
      await transport.deleteQueue(queue).catch(() => undefined);
      await transport.close();
    }
  });
});
