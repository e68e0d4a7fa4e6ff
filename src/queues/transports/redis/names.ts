/**
 * The Redis key layout of the streams transport, in one place so that the Lua scripts, the topology code and
 * the tests agree. Everything sits under one prefix (default `ms:`):
 * - `<prefix>q:<queue>`: the queue's stream, read by one consumer group;
 * - `<prefix>queues`: hash queue → JSON of its options (dead-letter queue), so any process can find them;
 * - `<prefix>exchanges`: hash exchange → type;
 * - `<prefix>b:<exchange>`: set of bindings, each member the JSON `[routingKey, queue]`;
 * - `<prefix>d:<queue>`: sorted set of the queue's delayed messages, scored by due time (delayed.ts).
 */
export interface RedisKeys {
  readonly prefix: string;
  stream(queue: string): string;
  readonly queues: string;
  readonly exchanges: string;
  bindings(exchange: string): string;
  delayed(queue: string): string;
}

/**
 * @example redisKeys('ms:').stream('jobs'); // 'ms:q:jobs'
 */
export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    stream: (queue) => `${prefix}q:${queue}`,
    queues: `${prefix}queues`,
    exchanges: `${prefix}exchanges`,
    bindings: (exchange) => `${prefix}b:${exchange}`,
    delayed: (queue) => `${prefix}d:${queue}`,
  };
}
