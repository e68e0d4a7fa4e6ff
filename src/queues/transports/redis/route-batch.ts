/**
 * The publishes of one event-loop turn, routed by one script call. Every message still goes through the
 * routing script's own logic (ROUTE, unchanged, wrapped in a function and called once per message under
 * `pcall`), so an unknown exchange or an unroutable message fails that publish alone; what is saved is the
 * per-call cost of EVALSHA on the server (about half of a routed publish's server time) and a command, a
 * promise chain and a timer per message on the client. A turn with a single publish sends ROUTE as before.
 */
import { ERRORS } from '../../../errors.js';
import type { PublishTarget } from '../transport.js';
import { type RedisClient, unlessClosed } from './connection.js';
import type { RedisKeys } from './names.js';
import { type RedisScript, ROUTE, runScript, script } from './scripts.js';

/**
 * ROUTE applied to several messages. ARGV: the queues hash and the stream prefix, then per message either
 * `n` and ROUTE's n ARGV (any exchange), or `-n`, the queue name and the entry's n field/value arguments (a
 * plain publish to a queue through the default exchange: the same check and XADD as ROUTE's first branch,
 * without building an argument table per message, which is most of a routed publish's cost on the server;
 * whether a queue is declared is looked up once per queue and call: nothing else runs while the script does).
 * Returns, per message, ROUTE's reply (a count) or the error's text when it raised.
 */
export const ROUTE_MANY: RedisScript = script(`
local function route_one(ARGV)
${ROUTE.source}
end
local queues, prefix = ARGV[1], ARGV[2]
local streams = {}
local function to_queue(first, last)
  local queue = ARGV[first]
  local stream = streams[queue]
  if stream == nil then
    stream = redis.call('HEXISTS', queues, queue) == 1 and prefix .. queue or false
    streams[queue] = stream
  end
  if not stream then return 0 end
  redis.call('XADD', stream, '*', unpack(ARGV, first + 1, last))
  return 1
end
local results, i = {}, 3
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local ok, result
  if n < 0 then
    ok, result = pcall(to_queue, i + 1, i + 1 - n)
    i = i + 2 - n
  else
    local args = {}
    for j = 1, n do args[j] = ARGV[i + j] end
    ok, result = pcall(route_one, args)
    i = i + n + 1
  end
  if ok then
    results[#results + 1] = result
  elseif type(result) == 'table' and result.err then
    results[#results + 1] = result.err
  else
    results[#results + 1] = tostring(result)
  end
end
return results
`);

/**
 * The error for ROUTE's reply `count` (scripts.ts: -1 no such exchange, else the number of queues that got
 * the message; 0 is unroutable, refused as AMQP's mandatory flag does), or undefined when it was routed.
 */
export function routingError(count: number, target: PublishTarget): Error | undefined {
  if (count === -1) return ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`no exchange "${target.exchange}"`);
  if (count === 0) {
    const where = target.exchange === '' ? `queue "${target.routingKey}"` : `exchange "${target.exchange}"`;
    return ERRORS.MS_QUEUE_UNROUTABLE(`${where} routed the message nowhere (key "${target.routingKey}")`);
  }
  return undefined;
}

/**
 * The most messages one script call carries. A full batch leaves at once, without waiting for the end of the
 * turn, so the server routes it while the process prepares the next one (one batch per turn would make the
 * two take turns instead of working side by side); it also bounds how long one call holds the server.
 */
const MAX_BATCH = 20;

interface QueuedRoute {
  readonly target: PublishTarget;
  /** The entry's field/value arguments for XADD. */
  readonly fields: readonly (string | Buffer)[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** On the `performance.now()` clock. */
  readonly deadline: number;
  readonly timeoutMs: number;
  settled: boolean;
}

/**
 * Collects routing calls during a turn and sends them at its end (`process.nextTick`), at most MAX_BATCH per
 * script call; one timer serves every deadline.
 * @example const count = await batcher.route({ exchange: '', routingKey: 'jobs' }, encodeEntry(…), 10_000);
 */
export class RouteBatcher {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  #queued: QueuedRoute[] = [];
  #scheduled = false;
  /** The batches sent and not answered yet (one entry per script call, for the deadline timer). */
  readonly #inFlight = new Set<readonly QueuedRoute[]>();
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineTimerAt = Number.POSITIVE_INFINITY;

  constructor(client: RedisClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  /**
   * Resolves once Redis has added the message to every queue it routes to; rejects when it routed nowhere or
   * to an unknown exchange (`routingError`), on a script error, a lost connection or the deadline.
   */
  route(target: PublishTarget, fields: readonly (string | Buffer)[], timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      this.#queued.push({ target, fields, resolve, reject, deadline, timeoutMs, settled: false });
      if (deadline < this.#deadlineTimerAt) this.#armDeadlineTimer(deadline);
      if (this.#queued.length >= MAX_BATCH) {
        const full = this.#queued;
        this.#queued = [];
        this.#send(full);
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        process.nextTick(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queued = this.#queued;
    this.#queued = [];
    if (queued.length > 0) this.#send(queued);
  }

  #send(batch: QueuedRoute[]): void {
    const live = batch.filter((entry) => !entry.settled);
    if (live.length === 0) return;
    this.#inFlight.add(live);
    const reply = runScript(this.#client, ROUTE_MANY, [], this.#arguments(live));
    unlessClosed(this.#client, reply).then(
      (results) => {
        this.#inFlight.delete(live);
        const list = Array.isArray(results) ? results : [];
        for (let index = 0; index < live.length; index += 1) {
          const entry = live[index] as QueuedRoute;
          const result: unknown = list[index];
          this.#settle(
            entry,
            typeof result === 'number'
              ? routingError(result, entry.target)
              : ERRORS.MS_QUEUE_PUBLISH_FAILED(`Redis refused the publish: ${String(result)}`),
          );
        }
      },
      (error: unknown) => {
        this.#inFlight.delete(live);
        for (const entry of live) this.#settle(entry, error);
      },
    );
  }

  /** ROUTE_MANY's ARGV for `batch`. */
  #arguments(batch: readonly QueuedRoute[]): (string | Buffer | number)[] {
    const keys = this.#keys;
    const args: (string | Buffer | number)[] = [keys.queues, keys.stream('')];
    for (const { target, fields } of batch) {
      if (target.exchange === '') {
        args.push(-fields.length, target.routingKey);
      } else {
        args.push(
          6 + fields.length,
          keys.exchanges,
          keys.bindings(target.exchange),
          keys.queues,
          keys.stream(''),
          target.exchange,
          target.routingKey,
        );
      }
      for (const field of fields) args.push(field);
    }
    return args;
  }

  #settle(entry: QueuedRoute, error: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    if (error === undefined) entry.resolve();
    else entry.reject(error);
  }

  #armDeadlineTimer(at: number): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimerAt = at;
    this.#deadlineTimer = setTimeout(() => this.#expireDue(), Math.max(1, Math.ceil(at - performance.now())));
    this.#deadlineTimer.unref();
  }

  /** Times out every publish past its deadline, then arms the timer for the earliest one left. */
  #expireDue(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineTimerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const entry of [...this.#queued, ...[...this.#inFlight].flat()]) {
      if (entry.settled) continue;
      if (entry.deadline <= now) {
        this.#settle(
          entry,
          ERRORS.MS_QUEUE_PUBLISH_TIMEOUT(
            `Redis did not answer a publish within ${entry.timeoutMs} ms; the message may have been delivered`,
          ),
        );
      } else if (entry.deadline < next) {
        next = entry.deadline;
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.#armDeadlineTimer(next);
  }
}
