import { afterEach, describe, expect, it, vi } from 'vitest';
import { MicroservicesError } from '../../src/errors.js';
import {
  closeablePart,
  HealthRegistry,
  type Part,
  type PartKind,
  runParts,
  type StopContext,
} from '../../src/index.js';
import { installedSignalListeners } from '../../src/lifecycle/signals.js';

// In-process tests emit SIGWINCH (harmless, unused by vitest) instead of SIGTERM/SIGINT.
const SIGNALS: NodeJS.Signals[] = ['SIGWINCH'];

interface FakePart extends Part {
  readonly contexts: StopContext[];
}

function fake(
  kind: PartKind,
  name: string,
  log: string[],
  behaviour: { stop?: () => Promise<void>; start?: () => Promise<void> } = {},
): FakePart {
  const contexts: StopContext[] = [];
  return {
    kind,
    name,
    contexts,
    start: async () => {
      log.push(`start:${name}`);
      await behaviour.start?.();
    },
    ready: async () => {
      log.push(`ready:${name}`);
    },
    stop: async (context) => {
      contexts.push(context);
      log.push(`stop:${name}`);
      await behaviour.stop?.();
    },
    onClose: () => {},
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runParts in process', () => {
  it('installs one process listener per signal however many runs, and removes it once all stopped', async () => {
    const before = process.listenerCount('SIGTERM');
    const first = await runParts(fake('client', 'a', []));
    const second = await runParts(fake('client', 'b', []));
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(process.listenerCount('SIGINT')).toBeGreaterThanOrEqual(1);
    expect(installedSignalListeners('SIGTERM')).toBe(1);
    await first.stop();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1); // the second run still needs it
    await second.stop();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(installedSignalListeners('SIGTERM')).toBe(0);
  });

  it('removeSignalHandlers() takes the listener away while the run keeps going', async () => {
    const before = process.listenerCount('SIGWINCH');
    const handle = await runParts(fake('client', 'a', []), { signals: SIGNALS });
    expect(process.listenerCount('SIGWINCH')).toBe(before + 1);
    handle.removeSignalHandlers();
    expect(process.listenerCount('SIGWINCH')).toBe(before);
    await handle.stop();
  });

  it('handle.stop() stops in reverse order with code 0 and never exits, even with the opt-in', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
    const log: string[] = [];
    const handle = await runParts(
      fake('http', 'api', log),
      fake('client', 'c1', log),
      fake('queue-service', 'worker', log),
      fake('cache', 'other', log),
      fake('client', 'c2', log),
      { signals: SIGNALS, exit: 'process', onClose: () => void log.push('hook:1') },
    );
    handle.onClose(() => void log.push('hook:2'));
    expect(log).toEqual([
      'start:c1',
      'start:c2',
      'ready:c1',
      'ready:c2',
      'start:other',
      'ready:other',
      'start:worker',
      'ready:worker',
      'start:api',
      'ready:api',
    ]);
    log.length = 0;
    expect(await handle.stop()).toEqual({ code: 0, reason: 'stopped' });
    expect(log).toEqual(['stop:api', 'stop:worker', 'stop:other', 'stop:c2', 'stop:c1', 'hook:2', 'hook:1']);
    expect(exit).not.toHaveBeenCalled();
    expect(await handle.stopped).toEqual({ code: 0, reason: 'stopped' });
  });

  it('passes the deadline and a signal that aborts when it passes; a hanging stop gives drain-timeout', async () => {
    const api = fake('http', 'api', [], { stop: () => new Promise<void>(() => {}) });
    const client = fake('client', 'c', []);
    const startedAt = Date.now();
    const handle = await runParts(api, client, { signals: SIGNALS, drainTimeoutMs: 100, closeGraceMs: 100 });
    const result = await handle.stop();
    expect(result).toEqual({ code: 1, reason: 'drain-timeout' });
    const context = api.contexts[0] as StopContext;
    expect(context.deadline).toBeGreaterThanOrEqual(startedAt + 100);
    expect(context.signal.aborted).toBe(true);
    expect(client.contexts).toHaveLength(1); // still closed, within the grace
  });

  it('a failing stop is logged, the others still stop, and the code is 1 (stop-failed)', async () => {
    const log: string[] = [];
    const handle = await runParts(
      fake('client', 'c', log),
      fake('http', 'api', log, { stop: () => Promise.reject(new Error('boom')) }),
      { signals: SIGNALS },
    );
    log.length = 0;
    expect(await handle.stop()).toEqual({ code: 1, reason: 'stop-failed' });
    expect(log).toEqual(['stop:api', 'stop:c']);
  });

  it('on a signal without the opt-in: stopped settles with the signal, process.exit is never called', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
    const handle = await runParts(fake('http', 'api', []), { signals: SIGNALS });
    process.emit('SIGWINCH', 'SIGWINCH');
    expect(await handle.stopped).toEqual({ code: 0, reason: 'signal', signal: 'SIGWINCH' });
    expect(exit).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGWINCH')).toBe(0);
  });

  it('a second signal settles at once with 128 + its number; with the opt-in it calls process.exit(code)', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
    const hanging = fake('queue-service', 'worker', [], { stop: () => new Promise<void>(() => {}) });
    const handle = await runParts(hanging, { signals: SIGNALS, exitOnSignal: true, drainTimeoutMs: 60_000 });
    process.emit('SIGWINCH', 'SIGWINCH');
    await vi.waitFor(() => expect(hanging.contexts).toHaveLength(1));
    process.emit('SIGWINCH', 'SIGWINCH');
    expect(await handle.stopped).toEqual({ code: 128 + 28, reason: 'second-signal', signal: 'SIGWINCH' });
    expect(exit).toHaveBeenCalledExactlyOnceWith(156);
    expect(hanging.contexts[0]?.signal.aborted).toBe(true); // the hanging drain is told to give up
  });

  it('the first signal with the opt-in exits with the run code once the stop sequence ends', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
    const handle = await runParts(fake('http', 'api', []), { signals: SIGNALS, exitOnSignal: true });
    process.emit('SIGWINCH', 'SIGWINCH');
    await handle.stopped;
    await vi.waitFor(() => expect(exit).toHaveBeenCalledExactlyOnceWith(0));
  });

  it('a part failing to start stops what started, starts nothing later, and rejects with its error', async () => {
    const log: string[] = [];
    const attempt = runParts(
      fake('client', 'c', log),
      fake('queue-service', 'worker', log, { start: () => Promise.reject(new Error('no broker')) }),
      fake('http', 'api', log),
      { signals: SIGNALS },
    );
    await expect(attempt).rejects.toThrow('no broker');
    // The part that failed is stopped too (to release what it half opened); the HTTP part never started.
    expect(log).toEqual(['start:c', 'ready:c', 'start:worker', 'stop:worker', 'stop:c']);
    expect(process.listenerCount('SIGWINCH')).toBe(0);
  });

  it('a signal during start stops the parts started so far at once, also one still starting, and starts no more', async () => {
    const log: string[] = [];
    let releaseWorker: () => void = () => {};
    const worker = fake('queue-service', 'worker', log, {
      start: () => new Promise<void>((resolve) => (releaseWorker = resolve)),
      stop: async () => releaseWorker(), // as a real part must: stopping makes a pending start settle
    });
    const running = runParts(fake('client', 'c', log), worker, fake('http', 'api', log), { signals: SIGNALS });
    await vi.waitFor(() => expect(log).toContain('start:worker'));
    process.emit('SIGWINCH', 'SIGWINCH');
    const handle = await running;
    expect(await handle.stopped).toMatchObject({ code: 0, reason: 'signal' });
    expect(log).toEqual(['start:c', 'ready:c', 'start:worker', 'stop:worker', 'stop:c']);
  });

  it('closeablePart closes its target then its own hooks; options are checked', async () => {
    const log: string[] = [];
    const part = closeablePart('events', { close: async () => void log.push('close') });
    part.onClose(() => void log.push('part-hook'));
    const handle = await runParts(part, { signals: false });
    await handle.stop();
    expect(log).toEqual(['close', 'part-hook']);
    await expect(runParts(part, { drainTimeoutMs: 0 })).rejects.toSatisfy(
      (error) => error instanceof MicroservicesError && error.code === 'MS_OPS_INVALID_OPTION',
    );
  });

  it('with a HealthRegistry: readiness is 503 "starting" until every part started, then 200, then 503 draining', async () => {
    const health = new HealthRegistry();
    const log: string[] = [];
    let release: () => void = () => {};
    const worker = fake('queue-service', 'worker', log, {
      start: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const running = runParts(worker, { signals: SIGNALS, health });
    await vi.waitFor(() => expect(log).toEqual(['start:worker']));
    expect(await health.readiness()).toMatchObject({
      status: 503,
      body: { checks: [{ name: 'starting', ok: false, detail: 'starting' }] },
    });
    release();
    const handle = await running;
    expect((await health.readiness()).status).toBe(200);
    await handle.stop();
    expect((await health.readiness()).body.checks).toEqual([{ name: 'draining', ok: false, detail: 'shutting down' }]);
  });
});
