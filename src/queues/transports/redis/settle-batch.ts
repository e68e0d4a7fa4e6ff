/**
 * The acks of one event-loop turn, settled by one script call per stream. Each id is still fenced as SETTLE
 * fences it (acked only while this consumer owns the pending entry, so an ack after a take-over cannot
 * remove another consumer's entry); the owned ones are then acked and deleted with one XACK and one XDEL.
 * What is saved is a script call, a command, a write and a timer per message.
 */
import { commandTimeout, type RedisClient } from './connection.js';
import { type RedisScript, runScript, script } from './scripts.js';

/**
 * Acks several entries. KEYS stream; ARGV group, consumer, ids... Returns, per id, 1 when it was acked and
 * deleted, 0 when the consumer no longer owns it (its lease was taken over).
 *
 * The fence reads this consumer's pending entries between the lowest and the highest id of the batch
 * (XPENDING with a range and the consumer's name, a page at a time) instead of one XPENDING per id: the same
 * ownership check in one or a few calls. An id that is not pending on this consumer, or that is not a stream
 * id at all, gets 0, as before; a range computed too narrow could only refuse an ack (the entry is then
 * claimed and delivered again), never ack an entry another consumer owns.
 */
export const SETTLE_MANY: RedisScript = script(`
local stream, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local wanted, left = {}, 0
local low, low_ms, low_seq, high, high_ms, high_seq
for i = 3, #ARGV do
  local id = ARGV[i]
  local dash = string.find(id, '-', 1, true)
  local ms = dash and tonumber(string.sub(id, 1, dash - 1))
  local seq = dash and tonumber(string.sub(id, dash + 1))
  if ms and seq and wanted[id] == nil then
    wanted[id] = false
    left = left + 1
    if low == nil or ms < low_ms or (ms == low_ms and seq < low_seq) then low, low_ms, low_seq = id, ms, seq end
    if high == nil or ms > high_ms or (ms == high_ms and seq > high_seq) then high, high_ms, high_seq = id, ms, seq end
  end
end
local owned, start, page = {}, low, left + 100
while left > 0 do
  local pending = redis.call('XPENDING', stream, group, start, high, page, consumer)
  for _, row in ipairs(pending) do
    local id = row[1]
    if wanted[id] == false then
      wanted[id] = true
      owned[#owned + 1] = id
      left = left - 1
    end
  end
  if #pending < page then break end
  start = '(' .. pending[#pending][1]
end
local results = {}
for i = 3, #ARGV do results[#results + 1] = wanted[ARGV[i]] == true and 1 or 0 end
if #owned > 0 then
  redis.call('XACK', stream, group, unpack(owned))
  redis.call('XDEL', stream, unpack(owned))
end
return results
`);

/** The most ids one script call carries; a full batch leaves at once (see route-batch.ts). */
const MAX_BATCH = 100;

interface QueuedAck {
  readonly id: string;
  readonly resolve: (owned: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Collects the acks of one consumer (one stream, group and member) during a turn and sends them together.
 * @example const owned = await acks.ack('1700000000000-0');
 */
export class AckBatcher {
  readonly #client: RedisClient;
  readonly #stream: string;
  readonly #group: string;
  readonly #consumer: string;
  readonly #timeoutMs: number;
  #queued: QueuedAck[] = [];
  #scheduled = false;

  constructor(client: RedisClient, target: { stream: string; group: string; consumer: string }, timeoutMs: number) {
    this.#client = client;
    this.#stream = target.stream;
    this.#group = target.group;
    this.#consumer = target.consumer;
    this.#timeoutMs = timeoutMs;
  }

  /** Resolves true once acked and deleted, false when another consumer took the entry over. */
  ack(id: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ id, resolve, reject });
      if (this.#queued.length >= MAX_BATCH) {
        this.#flush();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        process.nextTick(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    const batch = this.#queued;
    if (batch.length === 0) return;
    this.#queued = [];
    const args: string[] = [this.#group, this.#consumer];
    for (const entry of batch) args.push(entry.id);
    const reply = runScript(this.#client, SETTLE_MANY, [this.#stream], args);
    commandTimeout(reply, this.#timeoutMs, 'a settlement').then(
      (results) => {
        const list = Array.isArray(results) ? results : [];
        batch.forEach((entry, index) => {
          entry.resolve(Number(list[index]) === 1);
        });
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  }
}
