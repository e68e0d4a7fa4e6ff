/**
 * Delayed delivery on Redis (issue 14 part 4): a delayed message waits in the sorted set `<prefix>d:<queue>`,
 * scored by its due time on the server's clock (TIME, so producers' clocks do not matter), and the consumers
 * of the queue move due entries onto its stream. The move is one Lua script (read, XADD, ZREM), so an entry
 * is promoted exactly once however many consumers race for it. The set is as durable as the server makes it
 * (RDB/AOF): a delayed message survives a restart of any of our processes, and of Redis with persistence on.
 */
import { randomBytes } from 'node:crypto';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { encodeEntry, type StreamEntry } from './codec.js';
import type { RedisCommands } from './connection.js';
import { OWNED_BY, type RedisScript, runScript, script } from './scripts.js';

/** The server's clock in whole ms, rounded up (so "due" is never early) or down. */
const NOW = `
local function now_ms(round_up)
  local t = redis.call('TIME')
  local micros = tonumber(t[2]) / 1000
  return tonumber(t[1]) * 1000 + (round_up and math.ceil(micros) or math.floor(micros))
end
`;

/**
 * Holds one message back. KEYS delayed set; ARGV queues hash, queue, delay ms, unique id, then the entry's
 * field/value pairs. Returns 0 when the queue was never declared (unroutable), 1 once the entry is held.
 */
export const SCHEDULE: RedisScript = script(`${NOW}
if redis.call('HEXISTS', ARGV[1], ARGV[2]) == 0 then return 0 end
local member = cmsgpack.pack({ ARGV[4], unpack(ARGV, 5) })
redis.call('ZADD', KEYS[1], now_ms(true) + tonumber(ARGV[3]), member)
return 1
`);

/**
 * Moves up to ARGV[1] due entries from the delayed set KEYS[1] to the stream KEYS[2]. Returns how many were
 * moved and how many ms until the next entry is due (-1 when none is left).
 */
export const PROMOTE: RedisScript = script(`${NOW}
local now = now_ms(false)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local entry = cmsgpack.unpack(member)
  table.remove(entry, 1)
  redis.call('XADD', KEYS[2], '*', unpack(entry))
  redis.call('ZREM', KEYS[1], member)
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #next == 0 then return { #due, -1 } end
return { #due, math.max(0, tonumber(next[2]) - now) }
`);

/**
 * The retry of a failed handler with backoff (`nack({ requeue: true, delayMs })`): moves a pending entry the
 * consumer still owns into the delayed set, in one step, so the wait is held by Redis and survives the
 * consumer's process (a crash during the backoff neither loses the message nor redelivers it early). KEYS
 * stream, delayed set; ARGV group, consumer, id, delay ms, unique id, then the new entry's field/value pairs.
 * Returns 0 when the consumer no longer owns the entry (its lease was taken over), 1 once it is moved.
 */
export const RETRY_LATER: RedisScript = script(`${OWNED_BY}${NOW}
local stream, delayed, group, consumer, id = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
if not owned_by(stream, group, id, consumer) then return 0 end
local member = cmsgpack.pack({ ARGV[5], unpack(ARGV, 6) })
redis.call('ZADD', delayed, now_ms(true) + tonumber(ARGV[4]), member)
redis.call('XACK', stream, group, id)
redis.call('XDEL', stream, id)
return 1
`);

/**
 * The arguments of RETRY_LATER: the entry as it was (same body, properties and expiry), plus `c`, the
 * deliveries it has had, so the count goes on across the new entry.
 * @example retryArguments('group', 'consumer-1', entry, 3, 1000);
 */
export function retryArguments(
  group: string,
  consumer: string,
  entry: StreamEntry,
  deliveryCount: number,
  delayMs: number,
): (string | Buffer | number)[] {
  const fields = encodeEntry(
    { exchange: entry.exchange, routingKey: entry.routingKey },
    { body: entry.body, properties: entry.properties },
  );
  // The expiry stays the one set at publish time (encodeEntry would count it again from now).
  const expiry = fields.indexOf('e');
  if (expiry >= 0) fields.splice(expiry, 2);
  if (entry.expiresAt !== undefined) fields.push('e', String(entry.expiresAt));
  fields.push('c', String(deliveryCount));
  return [group, consumer, entry.id, Math.max(1, Math.ceil(delayMs)), randomBytes(12).toString('hex'), ...fields];
}

/** The arguments of SCHEDULE for one message. */
export function scheduleArguments(
  queues: string,
  queue: string,
  delayMs: number,
  fields: readonly (string | Buffer)[],
): (string | Buffer | number)[] {
  return [queues, queue, delayMs, randomBytes(12).toString('hex'), ...fields];
}

/** How long a promoter sleeps at most: a message another process delays arrives at most this late. */
const POLL_MS = 250;
const BATCH = 100;

/**
 * Promotes the due delayed messages of one queue while a consumer reads it.
 * @example const promoter = new DelayPromoter(redis, 'ms:d:jobs', 'ms:q:jobs', logger); promoter.start(); … promoter.stop();
 */
export class DelayPromoter {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    readonly redis: RedisCommands,
    readonly delayedKey: string,
    readonly streamKey: string,
    readonly logger: Logger,
  ) {}

  start(): void {
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    let wait = POLL_MS;
    try {
      const reply = (await runScript(this.redis, PROMOTE, [this.delayedKey, this.streamKey], [BATCH])) as [
        number,
        number,
      ];
      const [moved, nextInMs] = reply.map(Number) as [number, number];
      if (moved === BATCH) wait = 0;
      else if (nextInMs >= 0) wait = Math.min(POLL_MS, nextInMs);
    } catch (error) {
      logWith(this.logger, 'debug', { err: error }, `promoting delayed messages of ${this.streamKey}`);
    }
    this.#schedule(wait);
  }
}
