/** Loads the `mqtt` package only when an `mqtt://` URL is used; it is an optional peer dependency. */
import type { MqttClient } from 'mqtt';
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
