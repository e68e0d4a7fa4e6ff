/** How MQTT.js reports failures: the MQTT classifier for the core's mapping to catalogue codes (core/failures.ts). */
import type { BrokerFailure } from '../core/failures.js';
import { NoSubscribersError } from './control.js';

/**
 * CONNACK reason codes that refuse the client itself (MQTT 3.1.1: 2 identifier rejected, 4 bad user name or
 * password, 5 not authorized; MQTT 5: 0x85 client identifier not valid, 0x86 bad user name or password,
 * 0x87 not authorized, 0x8A banned, 0x8C bad authentication method).
 */
const CONNACK_REFUSALS = new Set([2, 4, 5, 0x85, 0x86, 0x87, 0x8a, 0x8c]);

/**
 * The kind of an MQTT.js error: a refusing CONNACK is a refused login; a PUBACK saying "no matching
 * subscribers" (where a subscriber is required) is unroutable.
 * @example mqttFailure(Object.assign(new Error('Connection refused: Not authorized'), { code: 5 })); // 'refused-login'
 */
export function mqttFailure(error: unknown): BrokerFailure | undefined {
  if (error instanceof NoSubscribersError) return 'unroutable';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && CONNACK_REFUSALS.has(code) ? 'refused-login' : undefined;
}
