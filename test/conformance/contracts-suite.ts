/**
 * Queue contracts (issue 15) over any transport URL: a payload that fails its schema is dead-lettered at once
 * with the issues in its headers and never retried, the handler sees only the validator's output, and a
 * client with the schema refuses an invalid payload before anything reaches the broker. A transport's test
 * file calls `describeContractConformance(label, { check, url })` beside the other suites.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Client,
  DEAD_LETTER_HEADERS,
  type HandlerContext,
  Microservice,
  type MicroserviceOptions,
  type TransportOptions,
  ValidationError,
} from '../../src/queues/index.js';
import type { ServiceCheck } from '../helpers/services.js';
import { sleep, uniqueName, waitFor } from './helpers.js';

/** The same shape as the other conformance suites' options. */
export interface ContractConformanceOptions {
  readonly check: () => Promise<ServiceCheck> | ServiceCheck;
  readonly url: () => string;
  readonly transportOptions?: TransportOptions;
}

const NoteCreated = z.object({
  id: z.number().int().positive(),
  title: z.string().min(1),
  tags: z.array(z.string()).default([]),
});

const FAST_RETRY = { maxRetries: 2, backoff: { initialDelayMs: 50, maxDelayMs: 100 } };

/** Services, clients and queues of one test, all removed afterwards. */
class Fixture {
  readonly services: Microservice[] = [];
  readonly clients: Client[] = [];
  readonly queues = new Set<string>();

  constructor(
    readonly label: string,
    readonly options: ContractConformanceOptions,
  ) {}

  private connection(): { url: string } & TransportOptions {
    return { url: this.options.url(), ...this.options.transportOptions };
  }

  name(what: string): string {
    const name = uniqueName(this.label, `contract-${what}`);
    this.queues.add(name);
    this.queues.add(`${name}.dead-letter`);
    return name;
  }

  service(options: Omit<MicroserviceOptions, 'connection'> = {}): Microservice {
    const service = new Microservice({ connection: this.connection(), drainTimeout: 5000, ...options });
    this.services.push(service);
    return service;
  }

  client(validatePublish?: boolean): Client {
    const client = new Client({
      connection: this.connection(),
      ...(validatePublish === undefined ? {} : { validatePublish }),
    });
    this.clients.push(client);
    return client;
  }

  async cleanup(): Promise<void> {
    for (const service of this.services) await service.stop();
    const cleaner = new Client({ connection: this.connection() });
    for (const queue of this.queues) await cleaner.deleteQueue(queue).catch(() => {});
    await cleaner.close();
    for (const client of this.clients) await client.close().catch(() => {});
  }
}

/**
 * Registers the contract conformance tests for one broker.
 * @example describeContractConformance('memory', { check: () => available, url: () => 'memory://conformance' });
 */
export function describeContractConformance(label: string, options: ContractConformanceOptions): void {
  describe(`contract conformance: ${label}`, async () => {
    const check = await options.check();
    let fixture: Fixture | undefined;
    const setup = (): Fixture => {
      fixture = new Fixture(label, options);
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    describe.skipIf(check.skip)(`payload schemas${check.skip ? ` (${check.reason})` : ''}`, () => {
      it('dead-letters a payload that fails its schema at once, with the issues in headers; never retried, the handler never sees it', async () => {
        const f = setup();
        const queue = f.name('invalid');
        const app = f.service({ retry: FAST_RETRY });
        const handled: unknown[] = [];
        app.queue(queue, { schema: NoteCreated }, (note) => {
          handled.push(note);
        });
        const dead: HandlerContext[] = [];
        app.queue(`${queue}.dead-letter`, (_p, context) => void dead.push(context), { deadLetter: false });
        await app.ready();
        // A client without the schema sends whatever it is given: the consumer is the last line of defence.
        const client = f.client();
        await client.queue(queue).publish({ id: -1, title: 7 });
        await client.queue(queue).publish({ id: 2, title: 'valid' });
        void app.run();
        await waitFor('one handled and one dead letter', () => handled.length === 1 && dead.length === 1);
        // The handler gets the validator's output: the default applied.
        expect(handled).toEqual([{ id: 2, title: 'valid', tags: [] }]);
        const letter = dead[0] as HandlerContext;
        expect(letter.message.payload).toEqual({ id: -1, title: 7 });
        const headers = letter.message.headers;
        expect(headers).toMatchObject({
          [DEAD_LETTER_HEADERS.reason]: 'invalid-payload',
          [DEAD_LETTER_HEADERS.attempts]: 1,
          [DEAD_LETTER_HEADERS.errorName]: 'ValidationError',
          [DEAD_LETTER_HEADERS.queue]: queue,
        });
        expect(String(headers[DEAD_LETTER_HEADERS.error])).toMatch(/^payload of queue ".+" is invalid: payload\.id: /);
        const issues = JSON.parse(String(headers[DEAD_LETTER_HEADERS.issues])) as Array<{ path: string }>;
        expect(issues.map((issue) => issue.path).sort()).toEqual(['payload.id', 'payload.title']);
        for (const issue of issues) expect(issue).toEqual({ path: issue.path, message: expect.any(String) });
        // Retries would have come back within FAST_RETRY's 100 ms: nothing more arrives.
        await sleep(400);
        expect(dead).toHaveLength(1);
        expect(handled).toHaveLength(1);
      });

      it('refuses an invalid publish before sending (MS_VALIDATION_FAILED with issues): nothing reaches the broker', async () => {
        const f = setup();
        const queue = f.name('publish');
        const app = f.service();
        app.queue(queue, { schema: NoteCreated }, () => {});
        await app.ready();
        await app.stop(); // declared, not consumed: the broker keeps what arrives, for purgeQueue to count
        const notes = f.client().queue(queue, { schema: NoteCreated });
        const error = await notes.publish({ id: 1, title: '' }).then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({
          code: 'MS_VALIDATION_FAILED',
          issues: [{ path: 'payload.title', message: expect.any(String) }],
        });
        await notes.publish({ id: 1, title: 'kept' });
        // Opting out, per handle or per client, sends it unchecked.
        await f.client().queue(queue, { schema: NoteCreated, validate: false }).publish({ id: 2, title: '' });
        await f.client(false).queue(queue, { schema: NoteCreated }).publish({ id: 3, title: '' });
        expect(await f.client().purgeQueue(queue)).toBe(3);
      });
    });
  });
}
