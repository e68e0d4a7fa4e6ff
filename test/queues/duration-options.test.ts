/**
 * The queue durations are named in milliseconds (issue 11): `drainTimeoutMs`, `reconnect.initialDelayMs`,
 * `heartbeatMs`. The seed's `reconnectTimeout` (seconds) and the older `drainTimeout` and `heartbeatSeconds`
 * stay as deprecated aliases with the same behaviour; both names with different values is MS_QUEUE_BAD_OPTION.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CODES } from '../../src/errors.js';
import { Client, Microservice, type MicroserviceOptions } from '../../src/queues/index.js';
import { heartbeatOptions, reconnectDelayMs } from '../../src/queues/renamed-options.js';
import { MemoryTransport } from '../../src/queues/transports/memory/index.js';
import { waitFor } from '../conformance/helpers.js';

const started: Microservice[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

function codeOf(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

describe('queue service duration options', () => {
  it.each([{ drainTimeoutMs: 200 }, { drainTimeout: 200 }] as MicroserviceOptions[])(
    'with %j, stop() waits that long for a stuck handler, then aborts it',
    async (durations) => {
      const broker = `durations-${Math.random()}`;
      const app = new Microservice({ connection: new MemoryTransport(broker), ...durations });
      started.push(app);
      let signal: AbortSignal | undefined;
      app.queue('q', (_payload, context) => {
        signal = context.signal;
        return new Promise(() => {});
      });
      await app.ready();
      await new Client({ connection: new MemoryTransport(broker) }).queue('q').publish('stuck');
      void app.run();
      await waitFor('the handler', () => signal !== undefined);
      const begun = Date.now();
      await app.stop();
      expect(Date.now() - begun).toBeGreaterThanOrEqual(150);
      expect(Date.now() - begun).toBeLessThan(3_000);
      expect(signal?.aborted).toBe(true);
    },
  );

  it.each([
    { drainTimeoutMs: 100, drainTimeout: 200 },
    { reconnect: { initialDelayMs: 1_000 }, reconnectTimeout: 2 },
    { connection: { url: 'memory://durations', heartbeatMs: 1_000, heartbeatSeconds: 5 } },
  ] as MicroserviceOptions[])('refuses %j: both names with different values', (options) => {
    expect(
      codeOf(() => new Microservice({ connection: 'memory://durations', immediateConnect: false, ...options })),
    ).toBe(CODES.MS_QUEUE_BAD_OPTION);
  });

  it('accepts both names with one value', () => {
    const options = {
      drainTimeoutMs: 100,
      drainTimeout: 100,
      reconnect: { initialDelayMs: 2_000 },
      reconnectTimeout: 2,
    };
    const app = new Microservice({ connection: 'memory://durations', immediateConnect: false, ...options });
    started.push(app);
    expect(app.name).toContain('memory://durations');
  });

  it('reads the seed reconnectTimeout in seconds as reconnect.initialDelayMs', () => {
    expect(reconnectDelayMs({ reconnectTimeout: 2 })).toBe(2_000);
    expect(reconnectDelayMs({ reconnect: { initialDelayMs: 2_000 } })).toBe(2_000);
  });

  it('hands the transports heartbeatMs as whole seconds, as heartbeatSeconds', () => {
    expect(heartbeatOptions({ heartbeatMs: 5_000 })).toEqual({ heartbeatSeconds: 5 });
    expect(heartbeatOptions({ heartbeatMs: 1_500 })).toEqual({ heartbeatSeconds: 2 });
    expect(heartbeatOptions({ heartbeatSeconds: 5 })).toEqual({ heartbeatSeconds: 5 });
    expect(heartbeatOptions({ heartbeatMs: 5_000, heartbeatSeconds: 5 })).toEqual({ heartbeatSeconds: 5 });
    expect(codeOf(() => heartbeatOptions({ heartbeatMs: Number.NaN }))).toBe(CODES.MS_QUEUE_BAD_OPTION);
  });
});
