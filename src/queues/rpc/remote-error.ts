/**
 * How a failed request travels back to its caller: the service answers with an error reply (a JSON body
 * `{code, message, stack?}` and the header `x-ms-error`), and the caller's `call()` rejects with a
 * `RemoteError` carrying the remote `code` and `message`. The stack crosses only when the service opts in
 * (`exposeErrors: true`), since it tells a caller about the service's code.
 */
import { CODES } from '../../errors.js';
import { describeFailure } from '../failure.js';

/** The header that marks a reply as an error reply. */
export const ERROR_REPLY_HEADER = 'x-ms-error';

/** The body of an error reply. */
export interface ErrorReplyBody {
  readonly code: string;
  readonly message: string;
  readonly stack?: string;
}

/** A handler's error as the caller of `call()` sees it. */
export class RemoteError extends Error {
  /** The remote error's `code` (a catalogue code such as `MS_VALIDATION_FAILED`, or the handler's own). */
  readonly code: string;
  /** The remote stack, only when the service sets `exposeErrors: true`. */
  readonly remoteStack: string | undefined;
  /** The queue that was called. */
  readonly queue: string;

  /** @example throw new RemoteError('math.add', { code: 'E_RANGE', message: 'too big' }); */
  constructor(queue: string, body: { readonly code: string; readonly message: string; readonly stack?: string }) {
    super(body.message);
    this.name = 'RemoteError';
    this.code = body.code;
    this.queue = queue;
    this.remoteStack = body.stack;
  }
}

/** Longest code kept from a handler's error. */
const MAX_CODE = 128;

function codeOf(error: unknown): string {
  try {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.length > 0) return code.slice(0, MAX_CODE);
    if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  } catch {
    // A Proxy or getter that throws: the generic code below.
  }
  return CODES.MS_QUEUE_HANDLER_FAILED;
}

/**
 * The error reply body for whatever a handler threw (never throws itself; strings are bounded).
 * @example errorReplyBody(new Error('boom'), false); // { code: CODES.MS_QUEUE_HANDLER_FAILED, message: 'boom' }
 */
export function errorReplyBody(error: unknown, exposeStack: boolean): ErrorReplyBody {
  const failure = describeFailure(error);
  const body = { code: codeOf(error), message: failure.message };
  return exposeStack && failure.detail !== `${failure.name}: ${failure.message}`
    ? { ...body, stack: failure.detail }
    : body;
}

/**
 * The RemoteError for a decoded error reply; a body not shaped as ours (a foreign responder) keeps what it can.
 * @example remoteError('math.add', { code: 'E', message: 'm' });
 */
export function remoteError(queue: string, decoded: unknown): RemoteError {
  const body = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as Record<string, unknown>;
  const code = typeof body.code === 'string' ? body.code : CODES.MS_QUEUE_HANDLER_FAILED;
  const message = typeof body.message === 'string' ? body.message : String(decoded).slice(0, 4096);
  const stack = typeof body.stack === 'string' ? body.stack : undefined;
  return new RemoteError(queue, stack === undefined ? { code, message } : { code, message, stack });
}
