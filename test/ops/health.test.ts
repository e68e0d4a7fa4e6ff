import { describe, expect, it, vi } from 'vitest';
import { MicroservicesError } from '../../src/errors.js';
import { HealthRegistry } from '../../src/index.js';

describe('HealthRegistry', () => {
  it('is ready with nothing registered, 503 while a connection is not up, 200 again once up', async () => {
    const health = new HealthRegistry();
    expect(await health.readiness()).toEqual({ status: 200, body: { status: 'ok', checks: [] } });
    health.setConnectionState('rabbitmq', 'connecting');
    expect(await health.readiness()).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: [{ name: 'rabbitmq', ok: false, detail: 'connecting' }] },
    });
    health.setConnectionState('rabbitmq', 'reconnecting');
    expect((await health.readiness()).body.checks[0]).toMatchObject({ ok: false, detail: 'reconnecting' });
    health.setConnectionState('rabbitmq', 'up');
    expect(await health.readiness()).toEqual({
      status: 200,
      body: { status: 'ok', checks: [{ name: 'rabbitmq', ok: true }] },
    });
    health.removeConnection('rabbitmq');
    expect((await health.readiness()).body.checks).toEqual([]);
  });

  it('starting and draining make readiness 503 and leave liveness at 200', async () => {
    const health = new HealthRegistry();
    health.setDraining();
    expect(await health.readiness()).toMatchObject({
      status: 503,
      body: { checks: [{ name: 'draining', ok: false, detail: 'shutting down' }] },
    });
    expect((await health.liveness()).status).toBe(200);
    health.setDraining(false);
    expect((await health.readiness()).status).toBe(200);
    health.setStarting();
    expect(await health.readiness()).toMatchObject({
      status: 503,
      body: { checks: [{ name: 'starting', ok: false }] },
    });
    expect((await health.liveness()).status).toBe(200);
    health.setStarting(false);
    expect((await health.readiness()).status).toBe(200);
  });

  it('runs sync and async checks; false, { ok: false } and throwing fail them', async () => {
    const health = new HealthRegistry();
    health.check('sync-pass', () => undefined);
    health.check('async-pass', async () => true);
    health.check('sync-false', () => false);
    health.check('explained', async () => ({ ok: false, detail: 'replica lag\n40 s' }));
    health.check('throws', () => {
      throw new Error('boom');
    });
    health.check('rejects', () => Promise.reject(new MicroservicesError('MS_QUEUE_NOT_CONNECTED', 'down')));
    const { status, body } = await health.readiness();
    expect(status).toBe(503);
    expect(body.checks).toEqual([
      { name: 'sync-pass', ok: true },
      { name: 'async-pass', ok: true },
      { name: 'sync-false', ok: false },
      { name: 'explained', ok: false, detail: 'replica lag 40 s' },
      { name: 'throws', ok: false, detail: 'failed: Error' },
      { name: 'rejects', ok: false, detail: 'failed: MS_QUEUE_NOT_CONNECTED' },
    ]);
  });

  it('never shows an error message, a stack or credentials in details', async () => {
    const health = new HealthRegistry();
    health.check('database', () => {
      throw new Error('connect to postgres://app:hunter2@db/app failed');
    });
    health.check('broker', () => ({
      ok: false,
      detail: `cannot reach amqp://guest:hunter2@rabbit:5672/ ${'x'.repeat(500)}`,
    }));
    const text = JSON.stringify(await health.readiness());
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(text).toContain('amqp://guest:**@rabbit:5672/');
    const detail = (await health.readiness()).body.checks[1]?.detail ?? '';
    expect(detail.length).toBeLessThanOrEqual(200);
  });

  it('bounds a slow check by its timeout and shares one run between concurrent probes', async () => {
    const health = new HealthRegistry();
    const slow = vi.fn(() => new Promise<void>(() => {}));
    health.check('slow', slow, { timeoutMs: 50 });
    const startedAt = Date.now();
    const [first, second] = await Promise.all([health.readiness(), health.readiness()]);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(first.body.checks).toEqual([{ name: 'slow', ok: false, detail: 'timed out after 50 ms' }]);
    expect(second.status).toBe(503);
    expect(slow).toHaveBeenCalledTimes(1);
    await health.readiness();
    expect(slow).toHaveBeenCalledTimes(2); // a finished run is not cached
  });

  it('liveness runs only the checks marked for it; a removed check no longer runs', async () => {
    const health = new HealthRegistry();
    health.check('readiness-only', () => false);
    const remove = health.check('event-loop', () => false, { liveness: true });
    health.setConnectionState('redis', 'down');
    expect(await health.liveness()).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: [{ name: 'event-loop', ok: false }] },
    });
    remove();
    expect(await health.liveness()).toEqual({ status: 200, body: { status: 'ok', checks: [] } });
  });

  it('refuses bad names, timeouts and a duplicate name with MS_OPS_INVALID_OPTION', () => {
    const health = new HealthRegistry();
    health.check('db', () => true);
    const bad = [
      () => health.check('db', () => true),
      () => health.check('', () => true),
      () => health.check('has space', () => true),
      () => health.check('x'.repeat(101), () => true),
      () => health.check('t', () => true, { timeoutMs: 0 }),
      () => health.check('t', () => true, { timeoutMs: Number.NaN }),
      () => health.setConnectionState('amqp://u:p@h', 'up'),
    ];
    for (const call of bad) expect(call).toThrow(expect.objectContaining({ code: 'MS_OPS_INVALID_OPTION' }));
  });
});
