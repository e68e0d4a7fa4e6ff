/**
 * The client side of request/reply: one reply inbox per client transport, a random correlation id per call,
 * and a table of the calls waiting for their reply. A reply whose correlation id matches no waiting call
 * (it came after its call timed out, was aborted or the client closed) is dropped and counted in
 * `lateReplies`; it can never reach another call, since ids are random UUIDs and each is used once.
 */
import { randomUUID } from 'node:crypto';
import type { AnySchema } from '../../contracts/infer.js';
import { ERRORS } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { decodePayload } from '../codec.js';
import type { IncomingReply, ReplyInbox, Transport } from '../transports/transport.js';
import { ERROR_REPLY_HEADER, remoteError } from './remote-error.js';
import { checkReply } from './reply-contract.js';

/** Options of one `call()`. */
export interface CallOptions {
  /** Reject with `MS_QUEUE_REPLY_TIMEOUT` when no reply came within this many ms. Default: the client's `callTimeoutMs` (30 000). */
  readonly timeoutMs?: number;
  /** Aborts waiting (rejects with the signal's reason); a reply that still comes is dropped and counted. */
  readonly signal?: AbortSignal;
  /** Headers sent with the request. */
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Request priority (where the queue has a priority range). */
  readonly priority?: number;
}

/** Request/reply counters of a client. */
export interface CallStats {
  /** Calls waiting for their reply now. */
  readonly pendingCalls: number;
  /** Replies that matched no waiting call (late, after a timeout, an abort or close): dropped. */
  readonly lateReplies: number;
}

export interface CallerSettings {
  readonly maxPendingCalls: number;
  readonly maxReplyBytes: number;
  readonly defaultTimeoutMs: number;
  readonly logger: Logger;
}

/** What the caller asks the client to publish: the request, with its reply address and correlation id. */
export type SendRequest = (route: { replyTo: string; correlationId: string; expiration: number }) => Promise<void>;

interface PendingCall {
  readonly queue: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
  readonly cleanup: () => void;
  /** The handle's reply schema: the reply is checked and the call resolves to its output. */
  readonly reply: AnySchema | undefined;
}

/**
 * @example
 * const caller = new RpcCaller({ maxPendingCalls: 10_000, maxReplyBytes: 8 << 20, defaultTimeoutMs: 30_000, logger });
 * const sum = await caller.call('math.add', transport, (route) => publish({ ...route }), { timeoutMs: 5000 });
 */
export class RpcCaller {
  readonly #settings: CallerSettings;
  readonly #pending = new Map<string, PendingCall>();
  #inbox: Promise<ReplyInbox> | undefined;
  #lateReplies = 0;
  #closed: Error | undefined;

  constructor(settings: CallerSettings) {
    this.#settings = settings;
  }

  get stats(): CallStats {
    return { pendingCalls: this.#pending.size, lateReplies: this.#lateReplies };
  }

  /** Sends the request through `send` and resolves to the decoded reply (checked against `reply` when given). */
  call(
    queue: string,
    open: () => Promise<Transport>,
    send: SendRequest,
    options: CallOptions = {},
    reply?: AnySchema,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#pending.size >= this.#settings.maxPendingCalls) {
      return Promise.reject(
        ERRORS.MS_QUEUE_TOO_MANY_CALLS(
          `${this.#pending.size} calls already wait for a reply (maxPendingCalls ${this.#settings.maxPendingCalls})`,
        ),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#settings.defaultTimeoutMs;
    const correlationId = randomUUID();
    return new Promise<unknown>((resolve, reject) => {
      const { signal } = options;
      const onAbort = (): void => this.#fail(correlationId, signal?.reason);
      const timer = setTimeout(() => {
        this.#fail(
          correlationId,
          ERRORS.MS_QUEUE_REPLY_TIMEOUT(`no reply from queue "${queue}" within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(correlationId, { queue, resolve, reject, timer, cleanup, reply });
      (async () => {
        const inbox = await this.#inboxOf(await open());
        if (!this.#pending.has(correlationId)) return;
        await send({ replyTo: inbox.address, correlationId, expiration: timeoutMs });
      })().catch((error: unknown) => this.#fail(correlationId, error));
    });
  }

  /** The transport's reply handler. */
  readonly onReply = (reply: IncomingReply): void => {
    const id = reply.properties.correlationId;
    const call = id === undefined ? undefined : this.#pending.get(id);
    if (id === undefined || call === undefined) {
      this.#lateReplies += 1;
      this.#settings.logger.debug(`reply for no waiting call dropped (correlationId ${String(id).slice(0, 64)})`);
      return;
    }
    this.#forget(id, call);
    if (reply.body.length > this.#settings.maxReplyBytes) {
      call.reject(
        ERRORS.MS_QUEUE_MESSAGE_TOO_LARGE(
          `the reply from queue "${call.queue}" has ${reply.body.length} bytes, more than maxReplyBytes ${this.#settings.maxReplyBytes}`,
        ),
      );
      return;
    }
    try {
      const decoded = decodePayload(reply.body, reply.properties);
      if (reply.properties.headers?.[ERROR_REPLY_HEADER] !== undefined) call.reject(remoteError(call.queue, decoded));
      else if (call.reply) settleChecked(call, checkReply(call.reply, decoded, call.queue, 'client'));
      else call.resolve(decoded);
    } catch (error) {
      call.reject(error);
    }
  };

  /** Rejects every waiting call with `error` and refuses new ones; closes the inbox. */
  async close(error: Error): Promise<void> {
    this.#closed = error;
    for (const id of [...this.#pending.keys()]) this.#fail(id, error);
    const inbox = this.#inbox;
    this.#inbox = undefined;
    await inbox?.then((opened) => opened.close()).catch(() => undefined);
  }

  #inboxOf(transport: Transport): Promise<ReplyInbox> {
    if (!transport.replies) {
      return Promise.reject(ERRORS.MS_QUEUE_RPC_UNSUPPORTED(`${transport.name} cannot receive replies`));
    }
    if (!this.#inbox) {
      const opening = transport.replies(this.onReply);
      this.#inbox = opening;
      // A failed open (connection lost meanwhile) is tried again by the next call.
      opening.catch(() => {
        if (this.#inbox === opening) this.#inbox = undefined;
      });
    }
    return this.#inbox;
  }

  #fail(id: string, error: unknown): void {
    const call = this.#pending.get(id);
    if (!call) return;
    this.#forget(id, call);
    call.reject(error);
  }

  #forget(id: string, call: PendingCall): void {
    this.#pending.delete(id);
    clearTimeout(call.timer);
    call.cleanup();
  }
}

type Checked = { ok: true; value: unknown } | { ok: false; error: Error };

/** Resolves a call to the reply schema's output, or rejects it with `MS_QUEUE_REPLY_INVALID`. */
function settleChecked(call: PendingCall, checked: Checked | Promise<Checked>): void {
  const settle = (result: Checked): void => (result.ok ? call.resolve(result.value) : call.reject(result.error));
  if (checked instanceof Promise) checked.then(settle, call.reject);
  else settle(checked);
}
