/**
 * Issue 14 part 4 on memory://: the retry backoff of a failed handler is held by the in-process broker (as a
 * real broker would hold it), not by the consumer. A service stopped during the backoff leaves the message to
 * the next consumer, which gets it once the backoff is over, as attempt 2.
 * Nothing of it survives the process (docs/queues.md, "Delayed delivery").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';

const url = `memory://retry-backoff-${process.pid}`;
const BACKOFF_MS = 400;
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const part of open.splice(0).reverse()) await part.close();
});

function service(seen: { attempt: number; at: number }[], failFirst: boolean): Microservice {
  const app = new Microservice({
    connection: url,
    retry: { maxRetries: 2, backoff: { initialDelayMs: BACKOFF_MS, maxDelayMs: BACKOFF_MS, jitter: 0 } },
  });
  app.queue('retry.backoff', (_payload, context) => {
    seen.push({ attempt: context.attempt, at: Date.now() });
    if (failFirst && context.attempt === 1) throw new Error('first attempt fails');
  });
  return app;
}

describe('memory://: retry backoff across a consumer stop', () => {
  it('a service stopped during the backoff leaves the retry to the next one, on time and as attempt 2', async () => {
    const first: { attempt: number; at: number }[] = [];
    const app = service(first, true);
    await app.start();
    const client = new Client(url);
    open.push(client);
    await client.queue('retry.backoff').publish('job');
    await expect.poll(() => first.length).toBe(1);
    await app.stop();

    const second: { attempt: number; at: number }[] = [];
    const next = service(second, false);
    open.push({ close: () => next.stop() });
    await next.start();
    await expect.poll(() => second.length, { timeout: 3000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS));
    expect(second).toHaveLength(1);
    expect(second[0]?.attempt).toBe(2);
    expect((second[0]?.at ?? 0) - (first[0]?.at ?? 0)).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect(first).toHaveLength(1);
  });
});
