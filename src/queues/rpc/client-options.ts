/** The request/reply options of the queue client, checked and resolved to the caller's settings. */
import type { Logger } from '../../logging.js';
import { assertNumber, TIMEOUT } from '../options.js';
import type { CallerSettings } from './caller.js';

export interface RpcClientOptions {
  /** Default `call()` timeout in ms. Default 30 000. */
  readonly callTimeoutMs?: number;
  /** The most `call()`s waiting for a reply at once; beyond it `call()` rejects with `MS_QUEUE_TOO_MANY_CALLS`. Default 10 000. */
  readonly maxPendingCalls?: number;
  /** The largest reply body accepted; a larger one rejects its call with `MS_QUEUE_MESSAGE_TOO_LARGE`. Default 8 MiB. */
  readonly maxReplyBytes?: number;
}

export const RPC_CLIENT_OPTIONS = ['callTimeoutMs', 'maxPendingCalls', 'maxReplyBytes'];

/** Checks the options and fills in the defaults. */
export function callerSettings(options: RpcClientOptions, logger: Logger): CallerSettings {
  const where = 'queue client options';
  assertNumber(where, 'callTimeoutMs', options.callTimeoutMs, TIMEOUT);
  assertNumber(where, 'maxPendingCalls', options.maxPendingCalls, { integer: true, min: 1, max: 10_000_000 });
  assertNumber(where, 'maxReplyBytes', options.maxReplyBytes, { integer: true, min: 1, max: 2 ** 31 - 1 });
  return {
    defaultTimeoutMs: options.callTimeoutMs ?? 30_000,
    maxPendingCalls: options.maxPendingCalls ?? 10_000,
    maxReplyBytes: options.maxReplyBytes ?? 8 * 1024 * 1024,
    logger,
  };
}
