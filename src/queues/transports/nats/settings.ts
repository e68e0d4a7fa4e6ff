import { maskPassword } from '../../../secrets.js';
import { urlNumber } from '../core/settings.js';
import type { TransportOptions } from '../transport.js';

/** JetStream settings the transport applies to the streams and consumers it creates. */
export interface NatsSettings {
  /** `nats://host:port/` with the password masked. */
  readonly name: string;
  readonly servers: string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** How long the server waits for an ack before redelivering; `touch()` restarts the wait. */
  readonly ackWaitMs: number;
  /** Delivery attempts before the server stops redelivering; always bounded (JetStream's own default is -1). */
  readonly maxDeliver: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate. */
  readonly duplicateWindowMs: number;
  /**
   * Wait for the server to confirm each ack (`ackAck`) before `ack()` resolves true. Off by default: it costs
   * a round trip per message (about 40 % of consume throughput here) for a guarantee at-least-once
   * delivery does not need.
   */
  readonly doubleAck: boolean;
  readonly publishTimeoutMs: number;
  readonly heartbeatSeconds: number;
  readonly reconnect: {
    readonly enabled: boolean;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
    readonly maxAttempts: number;
  };
}

export const NATS_DEFAULTS = { ackWaitMs: 30_000, maxDeliver: 100, duplicateWindowMs: 120_000 } as const;

/**
 * Parses the URL and the shared transport options.
 * @example natsSettings(new URL('nats://app:secret@localhost:4222/?maxDeliver=5'), {}).name; // 'nats://app:**@localhost:4222/?maxDeliver=5'
 */
export function natsSettings(url: URL, options: TransportOptions): NatsSettings {
  const host = url.hostname || '127.0.0.1';
  const port = url.port || '4222';
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const maxDeliver = Math.floor(urlNumber(url, 'maxDeliver', NATS_DEFAULTS.maxDeliver, 'positive number'));
  const reconnect = options.reconnect ?? {};
  return {
    // maskPassword hides `user:password@`; a bare token in the user part is a secret too.
    name:
      user && !pass
        ? maskPassword(url.toString()).replace(`//${url.username}@`, '//**@')
        : maskPassword(url.toString()),
    servers: [`${host.includes(':') ? `[${host}]` : host}:${port}`],
    // A user without a password is a token, as in the NATS URL convention.
    ...(user && pass ? { user, pass } : {}),
    ...(user && !pass ? { token: user } : {}),
    ackWaitMs: urlNumber(url, 'ackWaitMs', NATS_DEFAULTS.ackWaitMs, 'positive number'),
    maxDeliver,
    duplicateWindowMs: urlNumber(url, 'duplicateWindowMs', NATS_DEFAULTS.duplicateWindowMs, 'positive number'),
    doubleAck: url.searchParams.get('doubleAck') === 'true',
    publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    reconnect: {
      enabled: reconnect.enabled ?? true,
      initialDelayMs: reconnect.initialDelayMs ?? 1000,
      maxDelayMs: reconnect.maxDelayMs ?? 30_000,
      maxAttempts: reconnect.maxAttempts ?? Number.POSITIVE_INFINITY,
    },
  };
}
