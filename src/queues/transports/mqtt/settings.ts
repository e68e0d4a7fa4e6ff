import { maskPassword } from '../../../secrets.js';
import { urlNumber } from '../core/settings.js';
import type { TransportOptions } from '../transport.js';

export interface MqttSettings {
  /** The URL with the password masked; safe to log. */
  readonly name: string;
  /** `mqtt://host:port` or `mqtts://host:port`, without credentials (they go in `username`/`password`). */
  readonly brokerUrl: string;
  readonly username?: string;
  readonly password?: string;
  /** Seconds the broker keeps a queue's session (and its messages) while no consumer is connected. */
  readonly sessionExpirySeconds: number;
  /**
   * Joins a queue as an extra competing session `msq-<queue>~<member>` instead of the queue's own session.
   * Such a member keeps receiving its share while offline (MQTT shared subscriptions do that).
   */
  readonly member?: string;
  readonly publishTimeoutMs: number;
  readonly keepaliveSeconds: number;
  readonly reconnect: { readonly enabled: boolean; readonly initialDelayMs: number; readonly maxAttempts: number };
}

/**
 * Parses the URL and the shared transport options.
 * @example mqttSettings(new URL('mqtt://app:secret@localhost:1883/'), {}).name; // 'mqtt://app:**@localhost:1883/'
 */
export function mqttSettings(url: URL, options: TransportOptions): MqttSettings {
  const secure = url.protocol === 'mqtts:';
  const port = url.port || (secure ? '8883' : '1883');
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const member = url.searchParams.get('member');
  const reconnect = options.reconnect ?? {};
  return {
    name: maskPassword(url.toString()),
    brokerUrl: `${secure ? 'mqtts' : 'mqtt'}://${url.hostname || '127.0.0.1'}:${port}`,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    // A day: long enough for a deploy or an outage, short enough that abandoned sessions go away.
    sessionExpirySeconds: urlNumber(url, 'sessionExpiry', 86_400, 'positive integer'),
    ...(member ? { member } : {}),
    publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
    keepaliveSeconds: options.heartbeatSeconds ?? 10,
    reconnect: {
      enabled: reconnect.enabled ?? true,
      initialDelayMs: reconnect.initialDelayMs ?? 1000,
      maxAttempts: reconnect.maxAttempts ?? Number.POSITIVE_INFINITY,
    },
  };
}
