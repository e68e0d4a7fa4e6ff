/**
 * The Lua scripts of the streams transport. Each runs atomically on the server in one round trip, which is
 * why routing, fenced acks and lease renewal live here: a publish to an exchange either reaches every bound
 * queue or none, and an ack from a consumer that lost its lease cannot remove another consumer's entry.
 */
import { createHash } from 'node:crypto';
import type { RedisCommands } from './connection.js';

export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

/** A script with its SHA, for `runScript`. */
export function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** True when the pending entry `id` is owned by `consumer` (XPENDING extended form, one entry). */
export const OWNED_BY = `
local function owned_by(stream, group, id, consumer)
  local pending = redis.call('XPENDING', stream, group, id, id, 1)
  return #pending == 1 and pending[1][2] == consumer
end
`;

/**
 * Routes one message. ARGV: exchanges hash, bindings set, queues hash, stream prefix, exchange, routing key,
 * then the entry's field/value pairs. The default exchange `''` routes to the declared queue named by the key.
 * Returns -1 when the exchange does not exist, else the number of queues the message was added to (0 means
 * unroutable, which the caller turns into a rejected publish, as AMQP's mandatory flag does).
 */
export const ROUTE = script(`
local function split(s)
  local words, start = {}, 1
  while true do
    local dot = string.find(s, '.', start, true)
    if not dot then words[#words + 1] = string.sub(s, start); return words end
    words[#words + 1] = string.sub(s, start, dot - 1)
    start = dot + 1
  end
end
local function matches(pattern, pi, key, ki)
  if pi > #pattern then return ki > #key end
  local word = pattern[pi]
  if word == '#' then
    for j = ki, #key + 1 do
      if matches(pattern, pi + 1, key, j) then return true end
    end
    return false
  end
  if ki > #key then return false end
  if word == '*' or word == key[ki] then return matches(pattern, pi + 1, key, ki + 1) end
  return false
end
local key = ARGV[6]
if ARGV[5] == '' then
  if redis.call('HEXISTS', ARGV[3], key) == 0 then return 0 end
  redis.call('XADD', ARGV[4] .. key, '*', unpack(ARGV, 7))
  return 1
end
local kind = redis.call('HGET', ARGV[1], ARGV[5])
if not kind then return -1 end
local key_words = split(key)
local targets, count = {}, 0
for _, member in ipairs(redis.call('SMEMBERS', ARGV[2])) do
  local binding = cjson.decode(member)
  local bound_key, queue = binding[1], binding[2]
  local hit = kind == 'fanout' or (kind == 'direct' and bound_key == key)
    or (kind == 'topic' and matches(split(bound_key), 1, key_words, 1))
  if hit and not targets[queue] then
    targets[queue] = true
    redis.call('XADD', ARGV[4] .. queue, '*', unpack(ARGV, 7))
    count = count + 1
  end
end
return count
`);

/**
 * Settles one delivery: KEYS stream and dead-letter stream (empty for none); ARGV group, consumer, id, then
 * the dead-letter copy's field/value pairs when it has one. Returns 0 when the consumer no longer owns the
 * entry (its lease was taken over), 1 after XACK + XDEL (and the dead-letter XADD).
 */
export const SETTLE = script(`${OWNED_BY}
local stream, dead, group, consumer, id = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
if not owned_by(stream, group, id, consumer) then return 0 end
if dead ~= '' and #ARGV > 3 then redis.call('XADD', dead, '*', unpack(ARGV, 4)) end
redis.call('XACK', stream, group, id)
redis.call('XDEL', stream, id)
return 1
`);

/**
 * Sets the idle time of the consumer's own pending entries without counting a delivery (XCLAIM JUSTID):
 * idle 0 renews a lease, a large idle releases the entry to the next XAUTOCLAIM. KEYS stream; ARGV group,
 * consumer, idle ms, ids... Returns the ids the consumer no longer owns.
 */
export const SET_IDLE = script(`${OWNED_BY}
local stream, group, consumer, idle = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local lost = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if owned_by(stream, group, id, consumer) then
    redis.call('XCLAIM', stream, group, consumer, 0, id, 'IDLE', idle, 'JUSTID')
  else
    lost[#lost + 1] = id
  end
end
return lost
`);

/**
 * Deletes the entries no consumer has read yet (after the group's last-delivered id). KEYS stream; ARGV
 * group. Returns how many were deleted.
 */
export const PURGE = script(`
local stream, group = KEYS[1], ARGV[1]
if redis.call('EXISTS', stream) == 0 then return 0 end
local last = '0-0'
for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
  for i = 1, #info, 2 do
    if info[i] == 'name' and info[i + 1] ~= group then break end
    if info[i] == 'last-delivered-id' then last = info[i + 1] end
  end
end
local removed = 0
while true do
  local entries = redis.call('XRANGE', stream, '(' .. last, '+', 'COUNT', 500)
  if #entries == 0 then return removed end
  for _, entry in ipairs(entries) do
    redis.call('XDEL', stream, entry[1])
    removed = removed + 1
  end
end
`);

/**
 * Deletes a queue and every binding to it. ARGV: exchanges hash, bindings-set prefix, queues hash, stream
 * key, queue name.
 */
export const DELETE_QUEUE = script(`
for _, exchange in ipairs(redis.call('HKEYS', ARGV[1])) do
  local set = ARGV[2] .. exchange
  for _, member in ipairs(redis.call('SMEMBERS', set)) do
    if cjson.decode(member)[2] == ARGV[5] then redis.call('SREM', set, member) end
  end
end
redis.call('HDEL', ARGV[3], ARGV[5])
return redis.call('DEL', ARGV[4])
`);

/**
 * Removes group members that hold nothing and have been idle for ARGV[2] ms: the names left behind by
 * processes that exited or crashed (each process picks a fresh name), which would otherwise pile up. A live
 * consumer removed by mistake is simply re-created by its next read. KEYS stream; ARGV group, idle ms.
 * Returns how many were removed.
 */
export const PRUNE_CONSUMERS = script(`
local stream, group, idle = KEYS[1], ARGV[1], tonumber(ARGV[2])
local removed = 0
for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', stream, group)) do
  local name, pending, seen
  for i = 1, #info, 2 do
    if info[i] == 'name' then name = info[i + 1] end
    if info[i] == 'pending' then pending = info[i + 1] end
    if info[i] == 'idle' then seen = info[i + 1] end
  end
  if pending == 0 and seen and seen > idle then
    redis.call('XGROUP', 'DELCONSUMER', stream, group, name)
    removed = removed + 1
  end
end
return removed
`);

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script by its SHA and loads it with EVAL the first time the server does not know it (also after a
 * restart of a server without persistence, which forgets loaded scripts).
 * @example await runScript(redis, PURGE, ['ms:q:jobs'], ['microservices']);
 */
export async function runScript(
  redis: RedisCommands,
  lua: RedisScript,
  keys: readonly string[],
  args: readonly (string | Buffer | number)[],
): Promise<unknown> {
  try {
    return await redis.call('EVALSHA', lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return redis.call('EVAL', lua.source, keys.length, ...keys, ...args);
  }
}

/**
 * Loads every script, so the first EVALSHA after a (re)connect does not fall back to EVAL: that second
 * round trip could let a later command on the same connection overtake it.
 */
export async function loadScripts(redis: RedisCommands): Promise<void> {
  await Promise.all(
    [ROUTE, SETTLE, SET_IDLE, PURGE, DELETE_QUEUE, PRUNE_CONSUMERS].map((lua) =>
      redis.call('SCRIPT', 'LOAD', lua.source),
    ),
  );
}
