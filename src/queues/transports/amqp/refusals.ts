/**
 * Which failed connection attempts are configuration errors, final and reported with their cause, and which
 * are worth retrying (refused or reset connections, a broker restarting, a timeout).
 *
 * - The broker refuses the login: 403 ACCESS_REFUSED → `MS_QUEUE_ACCESS_REFUSED`.
 * - The broker refuses the virtual host: 530 NOT_ALLOWED (`vhost "x" not found`, or no access to it) →
 *   `MS_QUEUE_CONFIG_REFUSED`. Other handshake closes (320 CONNECTION_FORCED while the broker shuts down,
 *   541 while it boots) are retried.
 * - TLS refused (a plain-text port, a certificate that does not verify) → `MS_QUEUE_CONFIG_REFUSED`.
 * - The host name does not resolve (ENOTFOUND, EAI_AGAIN): retried, but bounded: after `DNS_ATTEMPTS` failed
 *   resolutions in a row → `MS_QUEUE_CONFIG_REFUSED`. A typo never resolves, while a container's service name
 *   can take a moment to appear in DNS; three attempts (about 3 s with the default backoff) allow for the
 *   second without waiting for ever on the first.
 */
import type { Options } from 'amqplib';
import type { MicroservicesError } from '../../../errors.js';
import { failureError } from '../core/failures.js';
import { handshakeRefusal } from './wire.js';

/** Failed resolutions of the broker's host name in a row before connecting gives up. */
export const DNS_ATTEMPTS = 3;

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/** Node's certificate verification failures (besides the ERR_SSL_* and ERR_TLS_* codes). */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * True when the attempt failed resolving the host name.
 * @example isDnsFailure(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })); // true
 */
export function isDnsFailure(error: unknown): boolean {
  return DNS_CODES.has(errorCode(error));
}

/**
 * The final error for a failed connection attempt that retrying cannot fix, or undefined when it is worth
 * retrying. `dnsFailures` counts failed resolutions in a row, this one included.
 * @example connectRefusal(error, { hostname: 'rabbit', vhost: 'x' }, 0)?.message; // 'vhost "x" not found (530 NOT_ALLOWED) …'
 */
export function connectRefusal(
  error: unknown,
  endpoint: Options.Connect,
  dnsFailures: number,
): MicroservicesError | undefined {
  const where = `${endpoint.hostname ?? 'localhost'}:${endpoint.port ?? ''}`;
  const refusal = handshakeRefusal(error);
  if (refusal?.replyCode === 403) {
    return failureError(
      'refused-login',
      `The broker at ${where} refused the login of user "${endpoint.username ?? 'guest'}" (403 ACCESS_REFUSED): ${refusal.replyText}; not retrying`,
      error,
    );
  }
  if (refusal?.replyCode === 530) {
    const vhost = endpoint.vhost ?? '/';
    const missing = /vhost .* not found/.test(refusal.replyText);
    return failureError(
      'refused-config',
      `${missing ? `vhost "${vhost}" not found` : `access to vhost "${vhost}" refused`} (530 NOT_ALLOWED) on ${where}: ${refusal.replyText}; not retrying`,
      error,
    );
  }
  const code = errorCode(error);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || CERTIFICATE_CODES.has(code)) {
    return failureError(
      'refused-config',
      `TLS to ${where} failed (${code}): ${(error as Error).message.trim()}; check the port, the amqps:// scheme and the certificates; not retrying`,
      error,
    );
  }
  if (/SASL mechanism .* is not provided/.test((error as Error | null)?.message ?? '')) {
    return failureError('refused-config', `${(error as Error).message}; not retrying`, error);
  }
  if (isDnsFailure(error) && dnsFailures >= DNS_ATTEMPTS) {
    return failureError(
      'refused-config',
      `The broker host "${endpoint.hostname}" was not found (${code}, ${dnsFailures} attempts); check the host name`,
      error,
    );
  }
  return undefined;
}
