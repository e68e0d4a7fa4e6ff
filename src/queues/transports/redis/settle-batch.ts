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
 */
export const SETTLE_MANY: RedisScript = script(`
local stream, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local owned, results = {}, {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local pending = redis.call('XPENDING', stream, group, id, id, 1)
  if #pending == 1 and pending[1][2] == consumer then
    owned[#owned + 1] = id
    results[#results + 1] = 1
  else
    results[#results + 1] = 0
  end
end
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
