/** Small helpers shared by the conformance suites: unique names, polling, collecting deliveries. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

/** A queue or exchange name no other test (or earlier run on a persistent broker) uses. */
export function uniqueName(label: string, what: string): string {
  return `conformance.${label}.${what}.${randomBytes(4).toString('hex')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `predicate` holds; fails with `what` after `timeoutMs` (generous: the machine is shared and noisy). */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A loopback port nothing listens on (bound, read, released): a broker URL on it is unreachable. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** How `promise` settled within `ms`: 'resolved', 'rejected', or 'pending' when it had not settled by then. */
export function outcomeWithin(promise: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  const settled = promise.then(
    () => 'resolved' as const,
    () => 'rejected' as const,
  );
  return Promise.race([settled, pending]).finally(() => clearTimeout(timer));
}
