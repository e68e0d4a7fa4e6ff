/**
 * Issue 13: one deadline bounds the whole shutdown. `QueueService.stop()` takes a deadline or a signal (the
 * lifecycle passes its `StopContext`), which replaces the service's own `drainTimeoutMs`; running handlers are
 * then cut off at that deadline (their signal aborts, their message is requeued) and the run ends non-zero.
 * Alone, `stop()` still waits `drainTimeoutMs`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueueClient, QueueService, runParts } from '../../src/index.js';

const services: QueueService[] = [];
const clients: QueueClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  for (const service of services.splice(0)) await service.stop({ deadline: Date.now() }).catch(() => {});
});

let counter = 0;

/** A worker whose handler runs until its signal aborts, on its own memory broker. */
async function stuckWorker(drainTimeoutMs: number) {
  const broker = `memory://stop-deadline-${process.pid}-${++counter}`;
  const worker = new QueueService({ connection: broker, name: 'worker', drainTimeoutMs });
  services.push(worker);
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const aborted: unknown[] = [];
  worker.queue('jobs', async (_payload, context) => {
    markStarted();
    await new Promise<void>((resolve) =>
      context.signal.addEventListener(
        'abort',
        () => {
          aborted.push(context.signal.reason);
          resolve();
        },
        { once: true },
      ),
    );
  });
  const client = new QueueClient({ connection: broker, name: 'events' });
  clients.push(client);
  return { worker, client, started, aborted };
}

async function timed(work: Promise<unknown>): Promise<number> {
  const startedAt = Date.now();
  await work;
  return Date.now() - startedAt;
}

describe('QueueService.stop() and the drain deadline', () => {
  it('stop({ deadline }) cuts running handlers at the deadline, whatever drainTimeoutMs says', async () => {
    const { worker, client, started, aborted } = await stuckWorker(30_000);
    await worker.start();
    await client.queue('jobs').publish({ n: 1 });
    await started;
    const took = await timed(worker.stop({ deadline: Date.now() + 200 }));
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(5_000);
    expect(aborted).toHaveLength(1);
    expect(worker.stopped).toBe(true);
  }, 20_000);

  it('stop() alone still waits drainTimeoutMs', async () => {
    const { worker, client, started, aborted } = await stuckWorker(300);
    await worker.start();
    await client.queue('jobs').publish({ n: 1 });
    await started;
    const took = await timed(worker.stop());
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5_000);
    expect(aborted).toHaveLength(1);
  }, 20_000);

  it('a signal given to a later stop() cuts a drain already under way', async () => {
    const { worker, client, started, aborted } = await stuckWorker(30_000);
    await worker.start();
    await client.queue('jobs').publish({ n: 1 });
    await started;
    const first = worker.stop();
    const controller = new AbortController();
    const second = worker.stop({ signal: controller.signal });
    expect(second).toBe(first);
    setTimeout(() => controller.abort(new Error('deadline')), 100);
    expect(await timed(first)).toBeLessThan(5_000);
    expect(aborted).toHaveLength(1);
  }, 20_000);

  it('under runParts the run deadline bounds the queue service: handler cut off, service stopped, code 1', async () => {
    const { worker, client, started, aborted } = await stuckWorker(30_000);
    const handle = await runParts(worker, { drainTimeoutMs: 300, closeGraceMs: 3_000, signals: false });
    await client.queue('jobs').publish({ n: 1 });
    await started;
    const stopping = handle.stop();
    const result = await stopping;
    expect(result).toEqual({ code: 1, reason: 'drain-timeout' });
    // The service itself finished its stop in the grace time instead of waiting its own 30 s.
    await expect.poll(() => worker.stopped, { timeout: 3_000, interval: 25 }).toBe(true);
    expect(aborted).toHaveLength(1);
  }, 20_000);
});
