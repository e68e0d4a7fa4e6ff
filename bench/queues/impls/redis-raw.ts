/**
 * Raw ioredis doing the queue workload on a Redis stream: XADD per publish (the reply is the broker's
 * confirmation); a consumer group read with XREADGROUP in batches of `prefetch`, each entry decoded and XACKed.
 */
import { Redis } from 'ioredis';
import type { QueueBenchImplementation } from '../workload.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
const GROUP = 'bench';

/**
 * @example const impl = createRawRedis(); await impl.setup('q', 100);
 */
export function createRawRedis(): QueueBenchImplementation {
  const publisher = new Redis(REDIS_URL, { lazyConnect: true });
  const reader = new Redis(REDIS_URL, { lazyConnect: true });
  let stream = '';
  let batch = 100;
  let reading = false;
  let loop: Promise<void> = Promise.resolve();

  async function readLoop(onMessage: (message: unknown) => void): Promise<void> {
    while (reading) {
      const reply = (await reader.xreadgroup(
        'GROUP',
        GROUP,
        'c1',
        'COUNT',
        batch,
        'BLOCK',
        200,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][] | null;
      const entries = reply?.[0]?.[1] ?? [];
      const acks = entries.map(([id, fields]) => {
        const message: unknown = JSON.parse(fields[1] ?? 'null');
        return reader.xack(stream, GROUP, id).then(() => onMessage(message));
      });
      await Promise.all(acks);
    }
  }

  return {
    async setup(queue, prefetch) {
      stream = queue;
      batch = prefetch;
      await Promise.all([publisher.connect(), reader.connect()]);
      await publisher.del(stream);
      await publisher.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
    },
    async publish(message) {
      await publisher.xadd(stream, '*', 'body', JSON.stringify(message));
    },
    async consume(onMessage) {
      reading = true;
      loop = readLoop(onMessage);
    },
    async close() {
      reading = false;
      await loop;
      await publisher.del(stream);
      publisher.disconnect();
      reader.disconnect();
    },
  };
}
