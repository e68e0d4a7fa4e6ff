/** The seed README's queue examples (examples/queues/), run on memory:// and, when it is up, on RabbitMQ. */

import { Client, type Microservice } from 'microservices-ts/queues';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createBasicService } from '../../examples/queues/basic-service.js';
import { runDemo } from '../../examples/queues/demo.js';
import { runProducerFirst } from '../../examples/queues/producer-first.js';
import { createWorkersService } from '../../examples/queues/workers.js';
import { rabbitmq } from '../helpers/services.js';

const rabbit = await rabbitmq();
const targets = [
  { label: 'memory://', url: () => `memory://examples-${Math.random().toString(36).slice(2)}`, skip: false },
  { label: 'amqp://', url: () => 'amqp://guest:guest@127.0.0.1:5672/', skip: rabbit.skip },
];

const services: Microservice[] = [];
afterEach(async () => {
  for (const app of services.splice(0)) await app.stop();
});

describe.each(targets)('queue examples on $label', ({ url, skip }) => {
  afterAll(async () => {
    if (skip) return;
    // The README's queue name is fixed; leave nothing behind on a shared broker.
    const client = new Client(url());
    await client.deleteQueue('basic').catch(() => {});
    await client.deleteQueue('basic.dead-letter').catch(() => {});
    await client.close();
  });

  it.skipIf(skip)('demo.ts: the client publishes "Hello, world" and the basic service prints it', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const target = url();
      await new Client(target).purgeQueue('basic').catch(() => 0);
      expect(await runDemo(target)).toEqual({ data: 'Hello, world' });
      expect(log).toHaveBeenCalledWith({ data: 'Hello, world' });
    } finally {
      log.mockRestore();
    }
  });

  it.skipIf(skip)(
    'producer-first.ts: the producer declares, priorities order the backlog, the delay holds',
    async () => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        const queue = `examples.ranked.${Math.random().toString(36).slice(2)}`;
        expect(await runProducerFirst(url(), queue)).toEqual(['urgent', 'normal', 'routine', 'reminder']);
      } finally {
        log.mockRestore();
      }
    },
  );

  it.skipIf(skip)('workers.ts: ten handlers at once drain a burst', async () => {
    const target = url();
    const lines: string[] = [];
    const app = createWorkersService(target, 50, (line) => lines.push(line));
    services.push(app);
    await app.ready();
    const client = new Client(target);
    await client.purgeQueue('basic');
    for (let i = 0; i < 20; i += 1) await client.queue('basic').publish({ i });
    const started = Date.now();
    void app.run();
    while (lines.length < 20 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(lines).toHaveLength(20);
    expect(new Set(lines).size).toBe(20);
    await client.close();
  });

  it.skipIf(skip)('basic-service.ts registers the "basic" queue', async () => {
    const printed: unknown[] = [];
    const target = url();
    const app = createBasicService(target, (payload) => printed.push(payload));
    services.push(app);
    await app.ready();
    const client = new Client(target);
    await client.purgeQueue('basic');
    await client.queue('basic').publish('plain text');
    await app.read(1, 50);
    expect(printed).toEqual(['plain text']);
    await client.close();
  });
});
