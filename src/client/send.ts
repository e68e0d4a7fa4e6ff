/**
 * One call on the wire: attempts with retries, redirects, and the call's total deadline, ending in a complete
 * response or one of the client's errors. Nothing here knows about JSON or keys (see response.ts).
 */
import type { Logger } from '../logging.js';
import { AbortEmitter, abortableSleep } from './abort.js';
import { ClientError, type TimeoutPhase, TooManyRedirectsError } from './errors.js';
import type { HeaderMap } from './headers.js';
import { isRedirect, nextHop } from './redirect.js';
import { backoffMs, type RetryPolicy, retryAfterMs, shouldRetryError, shouldRetryStatus } from './retry.js';
import { discard, type OpenResponse, type RawResponse, readText, type Transport, toClientError } from './transport.js';

/** Everything one call needs to go on the wire. */
export interface WireRequest {
  readonly origin: string;
  readonly target: string;
  readonly method: string;
  readonly headers: HeaderMap;
  readonly body: string | Uint8Array | undefined;
  /** The full URL with any password masked, for errors and logs. */
  readonly logUrl: string;
  readonly signal: AbortSignal | undefined;
  readonly totalTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly retry: RetryPolicy;
  /** The method is idempotent, or the caller gave an idempotency key. */
  readonly replayable: boolean;
  readonly maxRedirects: number;
}

/** Limits of the transport that error messages name. */
export interface WireLimits {
  readonly connectTimeout: number;
  readonly maxResponseSize: number;
}

interface Hop {
  readonly origin: string;
  readonly target: string;
  readonly method: string;
  readonly headers: HeaderMap;
  readonly body: string | Uint8Array | undefined;
}

type AttemptResult = { readonly redirect: OpenResponse } | { readonly response: RawResponse };

/**
 * The call's own deadlines on native timers: the total, and the headers phase of the current attempt (undici's
 * phase timers tick about once a second, too coarse for short deadlines). When one fires, the call is aborted
 * and `expired` names it.
 */
class Deadlines {
  readonly signal = new AbortEmitter();
  readonly endsAt: number;
  expired: TimeoutPhase | undefined;
  readonly #totalTimer: NodeJS.Timeout;
  #headersTimer: NodeJS.Timeout | undefined;

  constructor(total: number) {
    this.endsAt = Date.now() + total;
    this.#totalTimer = setTimeout(() => this.#expire('total'), total);
  }

  #expire(phase: TimeoutPhase): void {
    this.expired ??= phase;
    this.signal.abort(new Error(`${phase} deadline expired`));
  }

  waitForHeaders(ms: number): void {
    // Most calls leave the headers deadline at the total: one timer is then enough.
    if (Date.now() + ms >= this.endsAt) return;
    this.#headersTimer = setTimeout(() => this.#expire('headers'), ms);
  }

  headersArrived(): void {
    clearTimeout(this.#headersTimer);
  }

  dispose(): void {
    clearTimeout(this.#totalTimer);
    clearTimeout(this.#headersTimer);
  }
}

/**
 * Sends a call and returns its final response (after retries and redirects).
 * @example const response = await sendRequest(transport, request, limits, logger);
 */
export async function sendRequest(
  transport: Transport,
  request: WireRequest,
  limits: WireLimits,
  logger: Logger,
): Promise<RawResponse> {
  const callerSignal = request.signal;
  if (callerSignal?.aborted) throw callerSignal.reason;
  const deadlines = new Deadlines(request.totalTimeout);
  const forwardAbort = (): void => deadlines.signal.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    let hop: Hop = request;
    for (let redirects = 0; ; redirects++) {
      const result = await attemptWithRetries(transport, request, hop, deadlines, limits, logger);
      if ('response' in result) return result.response;
      const open = result.redirect;
      discard(open);
      if (redirects >= request.maxRedirects) {
        throw new TooManyRedirectsError(request.logUrl, `more than ${request.maxRedirects} redirects`);
      }
      const next = nextHop(
        hop.origin,
        hop.target,
        hop.method,
        hop.headers,
        open.statusCode,
        open.headers.location ?? '',
      );
      if (typeof next === 'string') throw new TooManyRedirectsError(request.logUrl, next);
      logger.debug(`Redirect ${open.statusCode} to ${next.origin}${next.target}`);
      hop = { ...next, body: next.dropBody ? undefined : hop.body };
    }
  } catch (error) {
    if (error instanceof ClientError) throw error;
    throw toClientError(
      error,
      {
        url: request.logUrl,
        total: request.totalTimeout,
        headers: request.headersTimeout,
        body: request.bodyTimeout,
        connect: limits.connectTimeout,
        maxResponseSize: limits.maxResponseSize,
        expired: deadlines.expired,
      },
      callerSignal,
    );
  } finally {
    deadlines.dispose();
    callerSignal?.removeEventListener('abort', forwardAbort);
  }
}

async function attemptWithRetries(
  transport: Transport,
  request: WireRequest,
  hop: Hop,
  deadlines: Deadlines,
  limits: WireLimits,
  logger: Logger,
): Promise<AttemptResult> {
  const policy = request.retry;
  const signal = deadlines.signal;
  const deadline = deadlines.endsAt;
  for (let attempt = 0; ; attempt++) {
    let open: OpenResponse;
    try {
      deadlines.waitForHeaders(request.headersTimeout);
      try {
        open = await transport.open({
          ...hop,
          headersTimeout: request.headersTimeout,
          bodyTimeout: request.bodyTimeout,
          signal,
        });
      } finally {
        deadlines.headersArrived();
      }
      if (request.maxRedirects > 0 && isRedirect(open.statusCode, open.headers.location)) return { redirect: open };
      if (attempt < policy.retries && shouldRetryStatus(open.statusCode, request.replayable)) {
        const wait = statusRetryWait(open, policy, attempt, deadline);
        if (wait !== undefined) {
          discard(open);
          logger.warn(`Retrying ${hop.method} for ${request.logUrl} in ${wait} ms after status ${open.statusCode}`);
          await abortableSleep(wait, signal);
          continue;
        }
      }
      // A HEAD response declares the length of a body it does not carry: no cap applies.
      const cap = hop.method === 'HEAD' ? -1 : limits.maxResponseSize;
      return { response: await readText(open, cap, request.logUrl) };
    } catch (error) {
      if (signal.aborted || attempt >= policy.retries || !shouldRetryError(error, request.replayable)) throw error;
      const wait = backoffMs(policy, attempt);
      if (Date.now() + wait >= deadline) throw error;
      logger.warn(`Retrying ${hop.method} for ${request.logUrl} in ${wait} ms after ${String(error)}`);
      await abortableSleep(wait, signal);
    }
  }
}

/** How long to wait before retrying a 429/5xx, or `undefined` when waiting is not worth it. */
function statusRetryWait(
  open: OpenResponse,
  policy: RetryPolicy,
  attempt: number,
  deadline: number,
): number | undefined {
  const asked = retryAfterMs(open.headers['retry-after']);
  if (asked !== undefined && asked > policy.maxRetryAfter) return undefined;
  const wait = asked ?? backoffMs(policy, attempt);
  return Date.now() + wait >= deadline ? undefined : wait;
}
