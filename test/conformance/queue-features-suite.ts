/**
 * Issue 14 parts 2-4 over any transport URL: producer-declared queues, message priorities (or their tested
 * refusal, naming the broker) and delayed delivery. A transport's test file calls
 * `describeQueueFeatureConformance(label, {check, url})`; see memory.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logging.js';
import { Client, Microservice, type MicroserviceOptions } from '../../src/queues/index.js';
import { createTransport } from '../../src/queues/transports/index.js';
import type { TransportCapabilities } from '../../src/queues/transports/transport.js';
import { uniqueName, waitFor } from './helpers.js';
import type { ConformanceOptions } from './transport-suite.js';

/** A logger that keeps every line, to check that no declaration fell back to "exists with other arguments". */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (...args: unknown[]): void => {
    lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  };
  return { lines, trace: record, debug: record, info: record, warn: record, error: record };
}

/** Services, clients and queue names of one test, all removed afterwards. */
class FeatureFixture {
  readonly services: Microservice[] = [];
  readonly clients: Client[] = [];
  readonly queues = new Set<string>();
  readonly logger = recordingLogger();

  constructor(
    readonly label: string,
    readonly options: ConformanceOptions,
  ) {}

  connection(): { url: string; logger: Logger } {
    return { url: this.options.url(), ...this.options.transportOptions, logger: this.logger };
  }

  name(what: string): string {
    const name = uniqueName(this.label, what);
    this.queues.add(name);
    this.queues.add(`${name}.dead-letter`);
    return name;
  }

  service(options: Omit<MicroserviceOptions, 'connection'> = {}): Microservice {
    const service = new Microservice({ connection: this.connection(), drainTimeout: 5000, ...options });
    this.services.push(service);
    return service;
  }

  client(options: { declare?: boolean } = {}): Client {
    const client = new Client({ connection: this.connection(), ...options });
    this.clients.push(client);
    return client;
  }

  /** Lines the transports logged about a queue declared earlier with other arguments (a conflict). */
  conflicts(): string[] {
    return this.logger.lines.filter((line) => /other arguments|PRECONDITION/i.test(line));
  }

  async cleanup(): Promise<void> {
    for (const service of this.services) await service.stop();
    const cleaner = new Client({ connection: { url: this.options.url(), ...this.options.transportOptions } });
    for (const queue of this.queues) await cleaner.deleteQueue(queue).catch(() => {});
    await cleaner.close();
    for (const client of this.clients) await client.close().catch(() => {});
  }
}

async function capabilitiesOf(options: ConformanceOptions): Promise<TransportCapabilities> {
  const transport = await createTransport(options.url(), options.transportOptions);
  const { capabilities } = transport;
  await transport.close();
  return capabilities;
}

/**
 * Registers the issue 14 feature tests for one broker.
 * @example describeQueueFeatureConformance('memory', { check: () => available, url: () => 'memory://conformance' });
 */
export function describeQueueFeatureConformance(label: string, options: ConformanceOptions): void {
  describe(`queue feature conformance: ${label}`, async () => {
    const check = await options.check();
    const capabilities = check.skip ? undefined : await capabilitiesOf(options);
    let fixture: FeatureFixture;
    const setup = (): FeatureFixture => {
      fixture = new FeatureFixture(label, options);
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
    });

    describe.skipIf(check.skip)('issue 14 part 2: producer-declared queues', () => {
      it('a producer publishes before the service ever ran; the service then declares without conflict and consumes', async () => {
        const f = setup();
        const queue = f.name('producer-first');
        const client = f.client();
        // Concurrent first publishes share one declaration.
        await Promise.all([client.queue(queue).publish('early-1'), client.queue(queue).publish('early-2')]);
        const got: unknown[] = [];
        const app = f.service();
        app.queue(queue, (payload) => {
          got.push(payload);
        });
        await app.start();
        await waitFor('both early messages', () => got.length === 2);
        expect([...got].sort()).toEqual(['early-1', 'early-2']);
        await client.queue(queue).publish('later');
        await waitFor('the later message', () => got.length === 3);
        expect(f.conflicts()).toEqual([]);
      });

      it('declareQueue with the service options: the service then declares the same topology, dead-letter queue included', async () => {
        const f = setup();
        const queue = f.name('declared');
        const deadLetter = `${queue}.parked`;
        f.queues.add(deadLetter);
        const client = f.client();
        await client.declareQueue(queue, { deadLetter });
        await client.declareQueue(queue, { deadLetter }); // once per client: a second call shares the first
        await client.queue(queue, { deadLetter }).publish('fails');
        const app = f.service({ retry: { maxRetries: 0 } });
        app.queue(queue, { deadLetter }, () => {
          throw new Error('always');
        });
        const parked: unknown[] = [];
        app.queue(deadLetter, (payload) => {
          parked.push(payload);
        });
        await app.start();
        await waitFor('the message in the named dead-letter queue', () => parked.length === 1);
        expect(parked).toEqual(['fails']);
        expect(f.conflicts()).toEqual([]);
        await expect(client.declareQueue(queue, { deadLetter: false })).rejects.toMatchObject({
          code: 'MS_QUEUE_BAD_OPTION',
        });
      });

      it("a producer's default declaration leaves the service's own deadLetter in place", async () => {
        const f = setup();
        const queue = f.name('keeps-dead-letter');
        const deadLetter = `${queue}.parked`;
        f.queues.add(deadLetter);
        const parked: unknown[] = [];
        const defaults: unknown[] = [];
        const app = f.service({ retry: { maxRetries: 0 } });
        app.queue(queue, { deadLetter }, () => {
          throw new Error('always');
        });
        app.queue(deadLetter, (payload) => {
          parked.push(payload);
        });
        app.queue(`${queue}.dead-letter`, (payload) => {
          defaults.push(payload);
        });
        await app.start();
        await f.client().queue(queue).publish('fails'); // declares with default options first
        await waitFor('the dead-lettered message', () => parked.length + defaults.length === 1);
        expect({ parked, defaults }).toEqual({ parked: ['fails'], defaults: [] });
      });

      it('declare: false keeps strict mode: a publish to a queue nobody declared is refused', async () => {
        const f = setup();
        const queue = f.name('strict');
        await expect(f.client({ declare: false }).queue(queue).publish('x')).rejects.toMatchObject({
          code: 'MS_QUEUE_UNROUTABLE',
        });
        const client = f.client();
        await expect(client.queue(queue, { declare: false }).publish('x')).rejects.toMatchObject({
          code: 'MS_QUEUE_UNROUTABLE',
        });
        expect(() => client.queue(queue, { declare: 'yes' as unknown as boolean })).toThrow(/declare/);
        // The default handle declares, and after deleteQueue it declares again.
        await client.queue(queue).publish('declared');
        expect(await client.purgeQueue(queue)).toBe(1);
        await client.deleteQueue(queue);
        await client.queue(queue).publish('declared again');
        expect(await client.purgeQueue(queue)).toBe(1);
      });
    });

    describe.skipIf(check.skip)('issue 14 part 3: priorities', () => {
      it('with maxPriority, a backlog is delivered highest priority first (or the broker refuses maxPriority by name)', async ({
        skip,
      }) => {
        if (!capabilities?.maxPriority) skip(`${label} has no message priorities: the refusal test covers it`);
        const f = setup();
        const queue = f.name('priorities');
        const client = f.client();
        const handle = client.queue(queue, { maxPriority: 10 });
        for (const priority of [1, 5, 9, 0, 7, 5]) await handle.publish(priority, { priority });
        await handle.publish('none'); // no priority property: the lowest
        const got: unknown[] = [];
        const app = f.service();
        app.queue(queue, { maxPriority: 10, prefetchCount: 1 }, (payload) => {
          got.push(payload);
        });
        await app.start();
        await waitFor('the backlog', () => got.length === 7);
        expect(got.slice(0, 5)).toEqual([9, 7, 5, 5, 1]);
        expect(new Set(got.slice(5))).toEqual(new Set([0, 'none']));
        expect(f.conflicts()).toEqual([]);
      });

      it('a broker without priorities refuses maxPriority at declaration, naming the broker', async ({ skip }) => {
        if (capabilities?.maxPriority) skip(`${label} has message priorities: the ordering test covers it`);
        const f = setup();
        const queue = f.name('no-priorities');
        const app = f.service();
        app.queue(queue, { maxPriority: 10 }, () => {});
        const scheme = new URL(options.url()).protocol;
        await expect(app.ready()).rejects.toMatchObject({ code: 'MS_QUEUE_UNSUPPORTED' });
        await expect(app.ready()).rejects.toThrow(scheme);
        const client = f.client();
        await expect(client.declareQueue(queue, { maxPriority: 10 })).rejects.toMatchObject({
          code: 'MS_QUEUE_UNSUPPORTED',
        });
        await expect(client.queue(queue, { maxPriority: 10 }).publish('x')).rejects.toMatchObject({
          code: 'MS_QUEUE_UNSUPPORTED',
        });
      });
    });

    describe.skipIf(check.skip)('issue 14 part 4: delayed delivery', () => {
      it('publish with delayMs delivers no earlier than the delay; a message published after it without delay comes first', async () => {
        const f = setup();
        const queue = f.name('delayed');
        const got: { payload: unknown; at: number; attempt: number }[] = [];
        const app = f.service();
        app.queue(queue, (payload, context) => {
          got.push({ payload, at: Date.now(), attempt: context.attempt });
        });
        await app.start();
        const client = f.client();
        const delayMs = 800;
        const sent = Date.now();
        await client.queue(queue).publish('late', { delayMs });
        await client.queue(queue).publish('now');
        await waitFor('both messages', () => got.length === 2);
        expect(got.map((entry) => entry.payload)).toEqual(['now', 'late']);
        // Holding the message back is not a delivery: the handler sees attempt 1.
        expect(got.map((entry) => entry.attempt)).toEqual([1, 1]);
        const late = got[1]?.at ?? 0;
        // Timers may round a millisecond down; "no earlier" allows that much and no more.
        expect(late - sent).toBeGreaterThanOrEqual(delayMs - 2);
        expect(late - sent).toBeLessThan(delayMs + 5000);
        expect(f.conflicts()).toEqual([]);
      });

      it('several delays come out in the order of their due times, not of their publishes', async () => {
        const f = setup();
        const queue = f.name('delays');
        const client = f.client();
        await client.declareQueue(queue);
        const got: unknown[] = [];
        const app = f.service();
        app.queue(queue, (payload) => {
          got.push(payload);
        });
        await app.start();
        await client.queue(queue).publish(1500, { delayMs: 1500 });
        await client.queue(queue).publish(300, { delayMs: 300 });
        await client.queue(queue).publish(900, { delayMs: 900 });
        await waitFor('three delayed messages', () => got.length === 3);
        expect(got).toEqual([300, 900, 1500]);
      });

      it('a delayed message held on the broker survives the publisher closing right after publishing', async ({
        skip,
      }) => {
        if (capabilities?.delayedDelivery !== 'broker') {
          skip(`${label} holds delayed messages in the publishing process (capabilities.delayedDelivery)`);
        }
        const f = setup();
        const queue = f.name('delayed-durable');
        const publisher = f.client();
        await publisher.declareQueue(queue);
        await publisher.queue(queue).publish('held by the broker', { delayMs: 500 });
        await publisher.close();
        const got: unknown[] = [];
        const app = f.service();
        app.queue(queue, (payload) => {
          got.push(payload);
        });
        await app.start();
        await waitFor('the delayed message', () => got.length === 1);
        expect(got).toEqual(['held by the broker']);
      });

      it('delayMs is refused on exchange publishes and when out of range, before anything is sent', async () => {
        const f = setup();
        const queue = f.name('delay-refusals');
        const exchange = uniqueName(label, 'delay-exchange');
        const client = f.client();
        await client.declareExchange(exchange, { type: 'direct', queues: [[queue, 'k']] });
        await expect(client.exchange(exchange, 'k').publish('x', 'k', { delayMs: 100 })).rejects.toMatchObject({
          code: 'MS_QUEUE_BAD_OPTION',
        });
        await expect(client.queue(queue).publish('x', { delayMs: -1 })).rejects.toMatchObject({
          code: 'MS_QUEUE_BAD_OPTION',
        });
        expect(await client.purgeQueue(queue)).toBe(0);
        await client.deleteExchange(exchange);
      });
    });
  });
}
