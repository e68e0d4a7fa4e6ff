/**
 * The verbs every runnable part shares (an HTTP service, a queue service, a client), so one orchestrator can
 * start any mix of them in order and stop them in the reverse order on a signal.
 */

/**
 * What a part is, which decides its place in the start and stop order: clients start first and close last,
 * queue services start before HTTP services and stop after them. Any other name runs between clients and queue
 * services.
 */
export type PartKind = 'http' | 'queue-service' | 'client' | (string & {});

/** What {@link Part.stop} is given: the wall-clock time the drain must finish by, and a signal aborted then. */
export interface StopContext {
  /** `Date.now()` value by which the part should have finished draining. */
  readonly deadline: number;
  /** Aborted when the deadline passes: cancel whatever is still waiting and return. */
  readonly signal: AbortSignal;
}

/** A hook run when a part (or the orchestrator) closes; it may be async. */
export type CloseHook = () => void | Promise<void>;

/**
 * One runnable part. `start()` begins serving (an HTTP service listens, a queue service consumes, a client
 * connects), `ready()` resolves once the part can do its work, `stop()` stops accepting new work and finishes
 * what is in flight before `context.deadline`, and `onClose(fn)` registers a hook the part runs when it closes.
 * `stop()` may come while `start()` is still pending or after it failed (a signal during startup): it must then
 * make `start()` settle and release whatever was opened.
 * @example
 * const worker: Part = {
 *   kind: 'queue-service',
 *   name: 'notes-worker',
 *   start: async () => { await service.start(); },
 *   ready: async () => {},
 *   stop: async ({ signal }) => { await service.stop({ signal }); },
 *   onClose: (fn) => { hooks.push(fn); },
 * };
 */
export interface Part {
  readonly kind: PartKind;
  /** A name for logs (never a URL with a password in it). */
  readonly name?: string;
  start(): Promise<unknown>;
  ready(): Promise<void>;
  stop(context: StopContext): Promise<void>;
  onClose(fn: CloseHook): void;
}

/** Start rank of a kind: lower starts earlier and stops later. */
export function kindRank(kind: PartKind): number {
  switch (kind) {
    case 'client':
      return 0;
    case 'queue-service':
      return 2;
    case 'http':
      return 3;
    default:
      return 1;
  }
}

/** True when `value` looks like a {@link Part} (used to tell parts from the trailing options object). */
export function isPart(value: unknown): value is Part {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Part>;
  return (
    typeof candidate.kind === 'string' && typeof candidate.start === 'function' && typeof candidate.stop === 'function'
  );
}

/**
 * Wraps something with only a `close()` (a queue client, a database pool) as a `client` {@link Part}: nothing
 * to start, `ready` awaits the optional `ready` function, and stop calls `close()` then the registered hooks.
 * @example
 * const events = new QueueClient('amqp://localhost');
 * await runParts(closeablePart('events', { close: () => events.close() }), app);
 */
export function closeablePart(
  name: string,
  target: { close(): void | Promise<void>; ready?: () => Promise<void> },
  kind: PartKind = 'client',
): Part {
  const hooks: CloseHook[] = [];
  return {
    kind,
    name,
    start: async () => {},
    ready: async () => {
      await target.ready?.();
    },
    stop: async () => {
      await target.close();
      for (const hook of [...hooks].reverse()) await hook();
    },
    onClose: (fn) => {
      hooks.push(fn);
    },
  };
}
