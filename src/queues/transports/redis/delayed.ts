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
import type { RedisCommands } from './connection.js';
import { type RedisScript, runScript, script } from './scripts.js';

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
