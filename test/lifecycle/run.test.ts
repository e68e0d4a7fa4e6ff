/**
 * The root `run(...)` with the real parts in one child process: on SIGTERM readiness goes 503, the HTTP service
 * finishes its in-flight request and closes, then the queue service finishes its running handler, then the
 * client and the `onClose` hooks close; exit code 0 without any process.exit. Past the drain deadline the
 * code is 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/real-parts-process.ts', import.meta.url));

interface Event {
  readonly event: string;
  readonly [key: string]: unknown;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(scenario: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, scenario], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  children.push(child);
  const events: Event[] = [];
  let pending = '';
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  child.stdout?.on('data', (data: Buffer) => {
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((item) => item.startsWith('{'))) events.push(JSON.parse(line) as Event);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (name: string): Promise<Event> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = events.find((event) => event.event === name);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ${name}; events ${JSON.stringify(events)}; stderr ${stderr.slice(0, 2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return { child, events, exited, waitFor };
}

describe('root run(...): an HTTP service, a queue service and a client in one process', () => {
  it('SIGTERM: readiness 503, HTTP drains, then the queue service finishes its handler, then client and hooks; exit 0', async () => {
    const run = start('order');
    const { url } = (await run.waitFor('started')) as Event & { url: string };
    await run.waitFor('handler-started');
    const response = fetch(`${url}/slow/`).then(async (res) => ({ status: res.status, body: await res.json() }));
    await run.waitFor('request-started');
    run.child.kill('SIGTERM');
    expect(await response).toEqual({ status: 200, body: { done: true } });
    expect(await run.exited).toBe(0);
    const order = run.events
      .filter((event) => ['draining', 'request-finished', 'handler-finished', 'closed'].includes(event.event))
      .map((event) => (event.event === 'closed' ? `closed ${event.name}` : event.event));
    expect(order).toEqual([
      'draining',
      'request-finished',
      'closed api',
      'handler-finished',
      'closed worker',
      'closed events',
      'closed hook',
    ]);
    expect(run.events.find((event) => event.event === 'draining')).toMatchObject({ apiReady: true });
    expect(run.events.at(-1)).toMatchObject({ event: 'result', code: 0, reason: 'signal', signal: 'SIGTERM' });
  }, 30_000);

  it('exits 1 when the drain deadline passes (a handler still running), through the exitOnSignal opt-in', async () => {
    const run = start('deadline');
    await run.waitFor('handler-started');
    const sentAt = Date.now();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(1);
    expect(Date.now() - sentAt).toBeLessThan(8_000);
    // The client and the hooks still closed in the grace time after the deadline.
    const closed = run.events.filter((event) => event.event === 'closed').map((event) => event.name);
    expect(closed).toEqual(expect.arrayContaining(['api', 'events', 'hook']));
    expect(run.events.some((event) => event.event === 'handler-finished')).toBe(false);
  }, 30_000);
});
