import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/parts-process.ts', import.meta.url));

interface Event {
  readonly event: string;
  readonly name?: string;
  readonly [key: string]: unknown;
}

interface Run {
  readonly child: ChildProcess;
  readonly events: Event[];
  /** Resolves once an event matching `match` was printed. */
  waitFor(match: (event: Event) => boolean): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startFixture(scenario: string): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, scenario], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  children.push(child);
  const events: Event[] = [];
  const waiters: { match: (event: Event) => boolean; done: () => void }[] = [];
  let pending = '';
  child.stdout?.on('data', (data: Buffer) => {
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((item) => item.startsWith('{'))) {
      const event = JSON.parse(line) as Event;
      events.push(event);
      for (const waiter of waiters.filter((item) => item.match(event))) waiter.done();
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() }));
  });
  const waitFor = (match: (event: Event) => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (events.some(match)) return resolve();
      waiters.push({ match, done: resolve });
      exited.then(() => reject(new Error(`child exited first; events: ${JSON.stringify(events)}`)));
    });
  return { child, events, waitFor, exited };
}

/** The names in stop/hook events, in the order the child printed them. */
function closeOrder(events: readonly Event[]): string[] {
  return events
    .filter((event) => ['draining', 'stopping', 'stopped', 'hook'].includes(event.event))
    .map((event) => (event.event === 'draining' ? 'draining' : `${event.event}:${event.name}`));
}

describe('runParts in a child process: start order, stop order, exit codes', () => {
  it('starts clients, then the queue service, then HTTP; on SIGTERM stops in reverse and exits 0', async () => {
    const run = startFixture('order');
    await run.waitFor((event) => event.event === 'running');
    const started = run.events.filter((event) => event.event === 'start').map((event) => event.name);
    expect(started).toEqual(['events-2', 'worker', 'api']); // events-1 has no start output (closeablePart)
    const readyBeforeWorker = run.events.findIndex((event) => event.event === 'ready' && event.name === 'events-2');
    const workerStart = run.events.findIndex((event) => event.event === 'start' && event.name === 'worker');
    expect(readyBeforeWorker).toBeLessThan(workerStart);

    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(closeOrder(run.events)).toEqual([
      'draining',
      'stopping:api',
      'stopped:api',
      'stopping:worker',
      'stopped:worker',
      'stopping:events-2',
      'stopped:events-2',
      'stopped:events-1',
      'hook:hook-2',
      'hook:hook-1',
    ]);
    // Readiness was already not-ready when the first part was told to stop.
    expect(run.events.find((event) => event.event === 'draining')?.readyzDraining).toBe(true);
  });

  it('exits non-zero when a stop hangs past drainTimeoutMs, and still closes the clients and hooks', async () => {
    const run = startFixture('hang');
    await run.waitFor((event) => event.event === 'running');
    const signalledAt = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(exit.atMs - signalledAt).toBeLessThan(5_000);
    expect(closeOrder(run.events)).toEqual([
      'draining',
      'stopping:api',
      'stopped:api',
      'stopping:worker',
      'stopping:events-2',
      'stopped:events-2',
      'stopped:events-1',
      'hook:hook-2',
      'hook:hook-1',
    ]);
  });

  it('a second SIGINT exits at once with 130 while the drain still hangs (deadline 30 s)', async () => {
    const run = startFixture('second');
    await run.waitFor((event) => event.event === 'running');
    run.child.kill('SIGINT');
    await run.waitFor((event) => event.event === 'stopping' && event.name === 'worker');
    const secondAt = Date.now();
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(130);
    expect(exit.atMs - secondAt).toBeLessThan(3_000);
    expect(closeOrder(run.events)).not.toContain('stopped:events-1');
  });

  it('without the opt-in never calls process.exit: the caller ends with the code it chose', async () => {
    const run = startFixture('no-exit');
    await run.waitFor((event) => event.event === 'running');
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(run.events.filter((event) => event.event === 'process.exit called')).toEqual([]);
    expect(exit.code).toBe(42);
    expect(run.events.find((event) => event.event === 'result')).toMatchObject({
      code: 0,
      reason: 'signal',
      signal: 'SIGTERM',
    });
  });

  it('readiness answers 503 over HTTP from the first moment of the drain, while the HTTP part still drains', async () => {
    const run = startFixture('probe');
    await run.waitFor((event) => event.event === 'running');
    const url = String(run.events.find((event) => event.event === 'ops')?.url);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    run.child.kill('SIGTERM');
    await run.waitFor((event) => event.event === 'stopping' && event.name === 'api');
    const during = await fetch(`${url}/readyz`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({
      status: 'unavailable',
      checks: [{ name: 'draining', ok: false, detail: 'shutting down' }],
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // liveness stays up: no restart mid-drain
    expect(run.events.some((event) => event.event === 'stopped' && event.name === 'api')).toBe(false);
    expect((await run.exited).code).toBe(0);
  });
});
