/** The queue service's own behaviour beyond the conformance suite: options, lifecycle, broker down, drain. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logging.js';
import { Client, type HandlerContext, Microservice } from '../../src/queues/index.js';
import { MemoryTransport } from '../../src/queues/transports/memory/index.js';
import { waitFor } from '../conformance/helpers.js';
import { RecordingTransport, unreachableTransport } from './helpers/transports.js';

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string): void => {
    lines.push(message);
  };
  return { lines, trace: record, debug: record, info: record, warn: record, error: record };
}

const services: Microservice[] = [];
function service(...args: ConstructorParameters<typeof Microservice>): Microservice {
  const created = new Microservice(...args);
  services.push(created);
  return created;
}
afterEach(async () => {
  for (const created of services.splice(0)) await created.stop();
});

describe('queue service lifecycle', () => {
  it('never blocks construction or registration on a broker that is down, and stop() still works', async () => {
    const transport = unreachableTransport('hang');
    const app = service({ connection: transport });
    const handler = (): void => {};
    expect(app.queue('q', handler)).toBe(handler);
    const running = app.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transport.connectCalls).toBe(1);
    const started = Date.now();
    await app.stop();
    await expect(running).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(app.stopped).toBe(true);
  });

  it('stops by itself when the transport gives up connecting (reconnect disabled)', async () => {
    const logger = capturingLogger();
    const app = service({ connection: unreachableTransport('fail'), logger });
    await expect(app.run()).resolves.toBeUndefined();
    expect(app.stopped).toBe(true);
    expect(logger.lines.some((line) => line.includes('Connection error, cause:'))).toBe(true);
  });

  it('reconnectEnable: false gives up on a refused amqp:// connection and stops (seed semantics)', async () => {
    const logger = capturingLogger();
    const app = service({ connection: 'amqp://guest:guest@127.0.0.1:1/', reconnectEnable: false, logger });
    await expect(app.run()).resolves.toBeUndefined();
    expect(app.stopped).toBe(true);
    expect(logger.lines.some((line) => line.includes('Connection error, cause:'))).toBe(true);
  });

  it('logs connection loss and reconnects with the seed wording', async () => {
    const logger = capturingLogger();
    const transport = new RecordingTransport();
    const app = service({ connection: transport, logger, name: 'svc' });
    await app.ready();
    transport.simulate('disconnected');
    transport.simulate('reconnecting');
    transport.simulate('connected');
    expect(logger.lines).toContain('svc - Connection to mq has broken off because: socket closed by peer');
    expect(logger.lines).toContain(
      'svc - Connection error, cause: socket closed by peer. Reconnecting... (attempt 1 in 1000 ms)',
    );
    expect(logger.lines.filter((line) => line === 'svc - Connected to mq broker')).toHaveLength(2);
  });

  it('immediateConnect: false connects only once a queue is registered', async () => {
    const transport = new RecordingTransport();
    const app = service({ connection: transport, immediateConnect: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transport.connects).toBe(0);
    app.queue('q', () => {});
    await app.ready();
    expect(transport.connects).toBe(1);
  });

  it('does not close a transport it was given; closes one it created', async () => {
    const given = new RecordingTransport();
    const app = service({ connection: given });
    await app.ready();
    await app.stop();
    expect(given.closes).toBe(0);
    expect(given.connected).toBe(true);
    await given.close();
  });

  it('refuses an empty or duplicate queue name and keeps unknown options on the rule', async () => {
    const app = service({ connection: new RecordingTransport() });
    expect(() => app.queue('', () => {})).toThrow(expect.objectContaining({ code: 'MS_QUEUE_INVALID_NAME' }));
    let rule: HandlerContext['rule'] | undefined;
    app.queue(
      'q',
      (_payload, context) => {
        rule = context.rule;
      },
      { timeoutMs: 1000 },
    );
    expect(() => app.queue('q', () => {})).toThrow(expect.objectContaining({ code: 'MS_QUEUE_DUPLICATE' }));
    const transport = new RecordingTransport();
    await app.ready();
    const other = service({ connection: transport });
    other.queue(
      'q',
      (_payload, context) => {
        rule = context.rule;
      },
      { timeoutMs: 1000, autoack: false },
    );
    await other.ready();
    await new Client({ connection: transport }).queue('q').publish(1);
    await other.read(1, 20);
    expect(rule?.options).toMatchObject({ timeoutMs: 1000 });
    expect(rule?.autoack).toBe(false);
  });
});

describe('prefetch and workers', () => {
  const prefetchOf = async (options: ConstructorParameters<typeof Microservice>[0], queueOptions = {}) => {
    const transport = new RecordingTransport();
    const app = service({ ...(typeof options === 'object' ? options : {}), connection: transport });
    app.queue('q', () => {}, queueOptions);
    await app.read(1, 10);
    return transport.consumed[0]?.options.prefetch;
  };

  it('uses 100 by default, the service prefetchCount, or the queue prefetchCount', async () => {
    expect(await prefetchOf({})).toBe(100);
    expect(await prefetchOf({ prefetchCount: 7 })).toBe(7);
    expect(await prefetchOf({ prefetchCount: 7 }, { prefetchCount: 3 })).toBe(3);
  });

  it('workers override the prefetch unless workersOverridePrefetch is false', async () => {
    expect(await prefetchOf({ workers: 4 }, { prefetchCount: 50 })).toBe(4);
    expect(await prefetchOf({ workers: 4, workersOverridePrefetch: false }, { prefetchCount: 50 })).toBe(50);
  });
});

describe('handling', () => {
  it('read() returns how many messages were handled', async () => {
    const transport = new RecordingTransport();
    const app = service({ connection: transport });
    app.queue('q', () => {});
    await app.ready();
    const client = new Client({ connection: transport });
    for (let i = 0; i < 4; i += 1) await client.queue('q').publish(i);
    expect(await app.read(1, 30)).toBe(4);
    expect(await app.read(1, 30)).toBe(0);
  });

  it('after drainTimeout, stop() aborts a stuck handler and gives its message back', async () => {
    const broker = `drain-${Math.random()}`;
    const app = service({ connection: new MemoryTransport(broker), drainTimeout: 200 });
    let signal: AbortSignal | undefined;
    app.queue('q', (_payload, context) => {
      signal = context.signal;
      return new Promise(() => {});
    });
    await app.ready();
    const client = new Client({ connection: new MemoryTransport(broker) });
    await client.queue('q').publish('stuck');
    void app.run();
    await waitFor('the handler', () => signal !== undefined);
    const started = Date.now();
    await app.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(signal?.aborted).toBe(true);
    const next = service({ connection: new MemoryTransport(broker) });
    const redelivered: boolean[] = [];
    next.queue('q', (_payload, context) => void redelivered.push(context.message.redelivered));
    void next.run();
    await waitFor('the redelivery', () => redelivered.length === 1);
    expect(redelivered).toEqual([true]);
  });

  it('an ack on a closed channel is dropped and logged, and the message is delivered again', async () => {
    const broker = `dead-channel-${Math.random()}`;
    const logger = capturingLogger();
    const first = new MemoryTransport(broker);
    const app = service({ connection: first, logger });
    let calls = 0;
    app.queue('q', async () => {
      calls += 1;
      if (calls === 1) await first.close();
    });
    await app.ready();
    await new Client({ connection: new MemoryTransport(broker) }).queue('q').publish('x');
    void app.run();
    await waitFor('the first call', () => calls === 1);
    await waitFor('the dropped-ack log', () => logger.lines.some((line) => line.includes('ack dropped')));
    const second = service({ connection: new MemoryTransport(broker) });
    second.queue('q', () => {
      calls += 1;
    });
    void second.run();
    await waitFor('the redelivery', () => calls === 2);
  });

  it('gives the handler a logger named after its queue', async () => {
    const logger = capturingLogger();
    const transport = new RecordingTransport();
    const app = service({ connection: transport, logger, name: 'svc' });
    app.queue('named', (_payload, context) => context.logger.info('hello'));
    await app.ready();
    await new Client({ connection: transport }).queue('named').publish(1);
    await app.read(1, 30);
    expect(logger.lines).toContain('svc - <queue: named> - hello');
  });
});

describe('issue 10 item 13: a URL no transport handles', () => {
  it('run() and ready() reject with MS_QUEUE_UNKNOWN_SCHEME instead of hanging', async () => {
    const app = service({ connection: 'bogus://x', logger: capturingLogger() });
    await expect(app.ready()).rejects.toMatchObject({ code: 'MS_QUEUE_UNKNOWN_SCHEME' });
    await expect(app.run()).rejects.toMatchObject({ code: 'MS_QUEUE_UNKNOWN_SCHEME' });
    expect(app.stopped).toBe(true);
  });

  it('run() rejects also with no queue registered and immediateConnect: false; a non-URL is MS_QUEUE_BAD_URL', async () => {
    const bogus = service({ connection: 'bogus://x', immediateConnect: false, logger: capturingLogger() });
    await expect(bogus.run()).rejects.toMatchObject({ code: 'MS_QUEUE_UNKNOWN_SCHEME' });
    const garbage = service({ connection: 'not a url', immediateConnect: false, logger: capturingLogger() });
    await expect(garbage.run()).rejects.toMatchObject({ code: 'MS_QUEUE_BAD_URL' });
  });
});

describe('issue 10 item 11: options are checked at construction', () => {
  const bad = expect.objectContaining({ code: 'MS_QUEUE_BAD_OPTION' });

  it('refuses NaN, negative, fractional and out-of-range numbers with MS_QUEUE_BAD_OPTION', () => {
    const connection = new RecordingTransport();
    for (const options of [
      { workers: Number(process.env.SURELY_UNSET_VARIABLE) },
      { workers: -1 },
      { workers: 1.5 },
      { prefetchCount: Number.NaN },
      { drainTimeout: Number.POSITIVE_INFINITY },
      { reconnectTimeout: -1 },
      { reconnect: { initialDelayMs: Number.NaN } },
      { reconnect: { maxAttempts: 0 } },
      { retry: { maxRetries: Number.NaN } },
      { retry: { backoff: { jitter: 2 } } },
      { immediateConnect: 'yes' },
    ]) {
      expect(() => new Microservice({ connection, ...(options as object) }), JSON.stringify(options)).toThrow(bad);
    }
    const app = service({ connection });
    expect(() => app.queue('q1', () => {}, { timeoutMs: Number.NaN })).toThrow(bad);
    expect(() => app.queue('q2', () => {}, { prefetchCount: -5 })).toThrow(bad);
    expect(() => app.queue('q3', () => {}, { retry: { maxRetries: 0.5 } })).toThrow(bad);
    expect(() => app.queue('q4', () => {}, { timeoutMs: 2 ** 31 })).toThrow(bad);
  });

  it('refuses unknown options instead of ignoring them', () => {
    const connection = new RecordingTransport();
    expect(() => new Microservice({ connection, prefetchSize: 10 } as never)).toThrow(/unknown option "prefetchSize"/);
    const app = service({ connection });
    expect(() => app.queue('q', () => {}, { prefetchSize: 10 } as never)).toThrow(bad);
    expect(() => new Client({ connection, limit: 10 } as never)).toThrow(/unknown option "limit"/);
    expect(() => new Client({ connection, publishTimeoutMs: Number.NaN })).toThrow(bad);
  });

  it('accepts valid options (Infinity for maxAttempts, 0 workers as the default)', () => {
    const connection = new RecordingTransport();
    expect(
      () => new Microservice({ connection, workers: 0, reconnect: { maxAttempts: Number.POSITIVE_INFINITY } }),
    ).not.toThrow();
  });

  it('refuses bad per-publish numbers and exchange options the transport cannot honour', async () => {
    const client = new Client({ connection: new RecordingTransport() });
    await expect(client.queue('q').publish(1, { timeoutMs: Number.NaN })).rejects.toMatchObject({
      code: 'MS_QUEUE_BAD_OPTION',
    });
    await expect(client.queue('q').publish(1, { priority: 1000 })).rejects.toMatchObject({
      code: 'MS_QUEUE_BAD_OPTION',
    });
    await expect(client.declareExchange('x', { arguments: { 'alternate-exchange': 'y' } })).rejects.toMatchObject({
      code: 'MS_QUEUE_BAD_OPTION',
    });
    class NoExtras extends RecordingTransport {
      override readonly capabilities = { exchangeTypes: ['direct'] as const, durable: true, nativeDeadLetter: false };
    }
    const plain = new Client({ connection: new NoExtras() });
    await expect(plain.declareExchange('x', { autoDelete: true })).rejects.toMatchObject({
      code: 'MS_QUEUE_BAD_OPTION',
    });
    await plain.close();
    await expect(client.declareExchange('x', { type: 'x-foo' as never })).rejects.toMatchObject({
      code: 'MS_QUEUE_BAD_OPTION',
    });
    await expect(client.declareExchange('x', { type: 'topic', internal: true } as never)).rejects.toMatchObject({
      code: 'MS_QUEUE_BAD_OPTION',
    });
    await client.declareExchange('x', { type: 'topic', durable: false, arguments: {} });
    await client.close();
  });

  it('checks the common transport options of a URL connection', async () => {
    const client = new Client({ connection: { url: 'memory://opts', publishTimeoutMs: -1 } });
    await expect(client.queue('q').publish(1)).rejects.toMatchObject({ code: 'MS_QUEUE_BAD_OPTION' });
    await client.close();
  });
});

describe('issue 10 item 12: timed-out handlers stay counted (memory, unit)', () => {
  it('with workers: 2, handlers that ignore their signal never run more than 2 at once', async () => {
    const transport = new RecordingTransport();
    const app = service({ connection: transport, workers: 2, retry: { maxRetries: 0 } });
    let running = 0;
    let peak = 0;
    let ended = 0;
    app.queue(
      'slow',
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 150));
        running -= 1;
        ended += 1;
      },
      { timeoutMs: 10 },
    );
    app.queue('slow.dead-letter', () => {}, { deadLetter: false });
    await app.ready();
    const client = new Client({ connection: transport });
    for (let i = 0; i < 10; i += 1) await client.queue('slow').publish(i);
    void app.run();
    await waitFor('10 handlers ended', () => ended === 10, 10_000);
    expect(peak).toBe(2);
  });
});

describe('issue 10 low: names no broker takes are refused up front', () => {
  it('refuses queue names of 256+ characters (dead-letter suffix included) and the amq. namespace', async () => {
    const app = service({ connection: new RecordingTransport() });
    const invalid = expect.objectContaining({ code: 'MS_QUEUE_INVALID_NAME' });
    expect(() => app.queue('q'.repeat(256), () => {})).toThrow(invalid);
    expect(() => app.queue('q'.repeat(250), () => {})).toThrow(/plus|limit/);
    expect(() => app.queue('q'.repeat(250), () => {}, { deadLetter: false })).not.toThrow();
    expect(() => app.queue('amq.jobs', () => {})).toThrow(invalid);
    const client = new Client({ connection: new RecordingTransport() });
    await expect(client.declareExchange('amq.mine')).rejects.toMatchObject({ code: 'MS_QUEUE_INVALID_NAME' });
    await expect(client.declareExchange('x', { queues: [['amq.q', 'k']] })).rejects.toMatchObject({
      code: 'MS_QUEUE_INVALID_NAME',
    });
    await client.close();
  });
});

describe('issue 10 item 11: declareExchange autoDelete on memory', () => {
  it('deletes the exchange once its last bound queue is gone', async () => {
    const transport = new RecordingTransport();
    const client = new Client({ connection: transport });
    await client.declareExchange('auto', { type: 'fanout', autoDelete: true, queues: [['auto-q', '']] });
    await client.declareExchange('kept', { type: 'fanout', queues: [['kept-q', '']] });
    await client.exchange('auto').publish('routed');
    await client.deleteQueue('auto-q');
    await client.deleteQueue('kept-q');
    expect(await transport.hasExchange('auto')).toBe(false);
    expect(await transport.hasExchange('kept')).toBe(true);
    await client.close();
  });
});
