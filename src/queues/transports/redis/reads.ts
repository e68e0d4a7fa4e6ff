/**
 * The three ways a consumer gets entries from its group, each returning entries with their delivery count:
 * - `readNew`: XREADGROUP `>` (never delivered; count 1), blocking on the consumer's own connection;
 * - `readOwnPending`: the consumer's own pending entries after a restart or reconnect (XPENDING, then
 *   XCLAIM to itself, which counts the delivery), i.e. "read the PEL from 0, then `>`";
 * - `autoClaim`: XAUTOCLAIM of entries idle past min-idle in any consumer's pending list (crashed consumers,
 *   released nacks), with the counter read back from XPENDING, which XAUTOCLAIM has just incremented.
 */
import { decodeEntry, entryId, type StreamEntry } from './codec.js';
import type { RedisCommands } from './connection.js';

export interface CountedEntry {
  readonly entry: StreamEntry;
  readonly deliveryCount: number;
}

/** Where a consumer reads: its stream, group and name. */
export interface ReadTarget {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
}

export interface ClaimResult {
  readonly entries: CountedEntry[];
  readonly cursor: string;
  /** Ids that were pending but whose entries had been deleted (trimmed or purged); Redis dropped them. */
  readonly deleted: string[];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Reads never-delivered entries, blocking up to `blockMs`; an empty list on timeout. */
export async function readNew(
  reader: RedisCommands,
  target: ReadTarget,
  count: number,
  blockMs: number,
): Promise<CountedEntry[]> {
  const reply = await reader.callBuffer(
    'XREADGROUP',
    'GROUP',
    target.group,
    target.consumer,
    'COUNT',
    count,
    'BLOCK',
    blockMs,
    'STREAMS',
    target.stream,
    '>',
  );
  const streamReply = asArray(asArray(reply)[0]);
  const entries: CountedEntry[] = [];
  for (const raw of asArray(streamReply[1])) {
    const entry = decodeEntry(raw);
    if (entry) entries.push({ entry, deliveryCount: 1 });
  }
  return entries;
}

/** The delivery counter of each id (XPENDING extended form, sent back to back so they share a round trip). */
export async function deliveryCounts(
  control: RedisCommands,
  target: ReadTarget,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const replies = await Promise.all(ids.map((id) => control.call('XPENDING', target.stream, target.group, id, id, 1)));
  const counts = new Map<string, number>();
  for (const reply of replies) {
    const [id, , , count] = asArray(asArray(reply)[0]);
    if (id !== undefined) counts.set(String(id), Number(count));
  }
  return counts;
}

/**
 * Claims up to `count` entries idle for `minIdleMs` from the group, starting at `cursor`.
 * `skip` holds ids this consumer already has in hand, which are not handed out twice.
 */
export async function autoClaim(
  control: RedisCommands,
  target: ReadTarget,
  minIdleMs: number,
  cursor: string,
  count: number,
  skip: ReadonlySet<string>,
): Promise<ClaimResult> {
  const reply = asArray(
    await control.callBuffer(
      'XAUTOCLAIM',
      target.stream,
      target.group,
      target.consumer,
      minIdleMs,
      cursor,
      'COUNT',
      count,
    ),
  );
  const next = String(reply[0] ?? '0-0');
  const deleted = asArray(reply[2]).map(String);
  const claimed = asArray(reply[1])
    .map(decodeEntry)
    .filter((entry): entry is StreamEntry => entry !== undefined && !skip.has(entry.id));
  const counts =
    claimed.length === 0
      ? new Map<string, number>()
      : await deliveryCounts(
          control,
          target,
          claimed.map((e) => e.id),
        );
  return {
    cursor: next,
    deleted,
    entries: claimed.map((entry) => ({ entry, deliveryCount: counts.get(entry.id) ?? 2 })),
  };
}

export interface PendingPage {
  readonly entries: CountedEntry[];
  /** The last id looked at, to continue from; undefined when the consumer's pending list is exhausted. */
  readonly cursor: string | undefined;
  /** Pending ids whose entries were deleted; the caller acks them away. */
  readonly missing: string[];
}

/** One page of this consumer's own pending entries after `cursor` (exclusive; '-' to start). */
export async function readOwnPending(
  control: RedisCommands,
  target: ReadTarget,
  cursor: string,
  count: number,
  skip: ReadonlySet<string>,
): Promise<PendingPage> {
  const start = cursor === '-' ? '-' : `(${cursor}`;
  const pending = asArray(
    await control.call('XPENDING', target.stream, target.group, start, '+', count, target.consumer),
  ).map((row) => asArray(row));
  if (pending.length === 0) return { entries: [], cursor: undefined, missing: [] };
  const counts = new Map(pending.map((row) => [String(row[0]), Number(row[3])]));
  const ids = [...counts.keys()].filter((id) => !skip.has(id));
  const lastId = String(pending[pending.length - 1]?.[0]);
  if (ids.length === 0) return { entries: [], cursor: lastId, missing: [] };
  // XCLAIM to ourselves (min-idle 0) both returns the fields and counts this redelivery.
  const claimed = asArray(await control.callBuffer('XCLAIM', target.stream, target.group, target.consumer, 0, ...ids));
  const entries: CountedEntry[] = [];
  const found = new Set<string>();
  for (const raw of claimed) {
    const entry = decodeEntry(raw);
    const id = entryId(raw);
    if (id !== undefined) found.add(id);
    if (entry) entries.push({ entry, deliveryCount: (counts.get(entry.id) ?? 1) + 1 });
  }
  return { entries, cursor: lastId, missing: ids.filter((id) => !found.has(id)) };
}
