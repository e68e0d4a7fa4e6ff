/**
 * Peer: BullMQ on Redis doing the queue workload through its public API. `Queue.add()` resolves when Redis
 * has stored the job (the add script's reply is the confirmation); a `Worker` with `concurrency` equal to the
 * prefetch processes the jobs, whose data BullMQ has already decoded from JSON, and the job completes (BullMQ's
 * ack) when the processor returns. Completed jobs are removed, as the toolkit deletes acked stream entries.
 */
import { Queue, Worker } from 'bullmq';
import type { QueueBenchImplementation } from '../workload.js';

/**
 * @example const impl = createBullmqPeer('redis://127.0.0.1:6379'); await impl.setup('q', 100);
 */
export function createBullmqPeer(url: string): QueueBenchImplementation {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let queueName = '';
  let concurrency = 100;

  const opened = (): Queue => {
    if (!queue) throw new Error('setup() first');
    return queue;
  };

  return {
    async setup(name, prefetch) {
      // BullMQ refuses ':' in queue names (its key separator).
      queueName = name.replace(/:/g, '_');
      concurrency = prefetch;
      queue = new Queue(queueName, {
        connection,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      });
      await queue.waitUntilReady();
    },
    async publish(message) {
      await opened().add('bench', message);
    },
    async consume(onMessage) {
      worker = new Worker(queueName, async (job) => onMessage(job.data), { connection, concurrency, autorun: false });
      await worker.waitUntilReady();
      void worker.run();
    },
    async close() {
      await worker?.close();
      await opened().obliterate({ force: true });
      await opened().close();
    },
  };
}
