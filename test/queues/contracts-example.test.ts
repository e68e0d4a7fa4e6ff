/** examples/queues/contracts.ts (the docs' "Queues" contract example), on memory:// and, when it is up, on RabbitMQ. */
import { Client } from 'microservices-ts/queues';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runContractsDemo } from '../../examples/queues/contracts.js';
import { rabbitmq } from '../helpers/services.js';

const rabbit = await rabbitmq();
const targets = [
  { label: 'memory://', url: `memory://contracts-example-${process.pid}`, skip: false },
  {
    label: `amqp://${rabbit.skip ? ` (${rabbit.reason})` : ''}`,
    url: 'amqp://guest:guest@127.0.0.1:5672/',
    skip: rabbit.skip,
  },
];

const queue = `contracts-example.${process.pid}.notes.created`;

describe.each(targets)('examples/queues/contracts.ts on $label', ({ url, skip }) => {
  afterAll(async () => {
    if (skip) return;
    // Leave nothing behind on a shared broker.
    const client = new Client(url);
    await client.deleteQueue(queue).catch(() => {});
    await client.deleteQueue(`${queue}.dead-letter`).catch(() => {});
    await client.close();
  });

  it.skipIf(skip)('handles the valid note, refuses the invalid publish, dead-letters the unchecked one', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const demo = await runContractsDemo(url, queue);
      expect(demo.received).toEqual({ id: 1, title: 'Buy milk', tags: [] });
      expect(log).toHaveBeenCalledWith('note 1: Buy milk []');
      expect(demo.refused).toEqual([{ path: 'payload.title', message: expect.stringMatching(/>=1 characters/) }]);
      expect(demo.deadLetter['x-reason']).toBe('invalid-payload');
      expect(JSON.parse(String(demo.deadLetter['x-validation-issues']))).toEqual([
        { path: 'payload.id', message: expect.any(String) },
        { path: 'payload.title', message: expect.any(String) },
      ]);
      expect(demo.channels).toEqual([queue, `${queue}.dead-letter`]);
    } finally {
      log.mockRestore();
    }
  });
});
