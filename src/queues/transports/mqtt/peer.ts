/** Loads the `mqtt` package only when an `mqtt://` URL is used; it is an optional peer dependency. */
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
