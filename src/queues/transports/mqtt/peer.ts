/** Loads the `mqtt` package only when an `mqtt://` URL is used; it is an optional peer dependency. */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../../logging.js';
import { closeStep } from '../core/close-step.js';
import { importOptionalPeer } from '../core/optional-peer.js';

export type MqttModule = typeof import('mqtt');

/**
 * Imports `mqtt`, failing with a message that names the package to install. The loader is a parameter
 * so that a test can simulate the package missing.
 * @example const mqtt = await loadMqttModule();
 */
export function loadMqttModule(load: () => Promise<MqttModule> = () => import('mqtt')): Promise<MqttModule> {
  return importOptionalPeer('mqtt', 'mqtt', load);
}

function ignore(): void {}

/**
 * The client option that silences MQTT.js's own debug logging unless `DEBUG` is set: it calls its logger some
 * thirty times per message, and the `debug` package checks whether it is enabled on every call (about 2 µs
 * of CPU per message, the cost of a few hundred bytes of JSON).
 * @example mqtt.connect(url, { ...quietUnlessDebugging(), clientId });
 */
export function quietUnlessDebugging(env: NodeJS.ProcessEnv = process.env): { log?: () => void } {
  return env.DEBUG ? {} : { log: ignore };
}

/**
 * Turns Nagle's algorithm off on the client's TCP socket, on every (re)connection. MQTT.js leaves it on, so a
 * small packet (a PUBACK, a short publish) written while an earlier segment is unacknowledged waits for the
 * broker's delayed ACK: stalls of about 40 ms that left the bench's runs idle for a tenth to a fifth of the time.
 * ioredis and the NATS client set the same option; WebSocket and TLS streams get it where they have it.
 * @example sendWithoutDelay(mqtt.connect(url, options));
 */
export function sendWithoutDelay(client: MqttClient): MqttClient {
  client.on('connect', () => {
    const stream = client.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined;
    stream?.setNoDelay?.(true);
  });
  return client;
}

/**
 * Ends an MQTT.js client: cleanly (in-flight packets answered, then DISCONNECT) when the broker answers within
 * the close deadline (core/close-step.ts), else by dropping the socket. MQTT.js waits for every in-flight QoS 1
 * packet before it disconnects, so a half-open connection held a clean end for as long as the process lived;
 * and once an end has begun, a forced `end(true)` is ignored, hence the socket.
 * @example await endClient(client, 'the control connection', logger);
 */
export async function endClient(client: MqttClient, what: string, logger: Logger): Promise<void> {
  const clean = client.endAsync(false).catch(() => undefined);
  if (await closeStep(clean, `the end of ${what}`, logger)) return;
  client.stream?.destroy();
}
