/**
 * The AMQP publisher against a scripted confirm channel (no broker): an encoding error is not a closed
 * channel (issue 10 item 4), a channel closed with a final refusal fails that message only (item 5), and a
 * timeout says whether the message may have been delivered (item 6, low).
 */
import { EventEmitter } from 'node:events';
import type { ConfirmChannel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import type { MicroservicesError } from '../../src/errors.js';
import { getLogger } from '../../src/logging.js';
import { AmqpPublisher } from '../../src/queues/transports/amqp/publisher.js';
import type { OutgoingMessage } from '../../src/queues/transports/transport.js';

type Confirm = (error: Error | null) => void;

/** A confirm channel whose `publish` runs `behaviour`; confirms are sent by the test. */
class ScriptedChannel extends EventEmitter {
  readonly confirms: Array<{ body: Buffer; confirm: Confirm }> = [];
  constructor(private readonly behaviour: (body: Buffer) => void = () => {}) {
    super();
  }
  publish(_exchange: string, _key: string, body: Buffer, _options: unknown, confirm: Confirm): boolean {
    this.behaviour(body);
    this.confirms.push({ body, confirm });
    return true;
  }
  /** What amqplib does when the broker closes the channel: 'error', then every pending confirm fails, then 'close'. */
  closeByBroker(code: number, text: string): void {
    this.emit('error', Object.assign(new Error(`Channel closed by server: ${code} with message "${text}"`), { code }));
    for (const { confirm } of this.confirms.splice(0)) confirm(new Error('channel closed'));
    this.emit('close');
  }
  confirmAll(): void {
    for (const { confirm } of this.confirms.splice(0)) confirm(null);
  }
}

const LIMITS = { timeoutMs: 2000, maxBufferedMessages: 100, maxBufferedBytes: 1 << 20, maxMessageBytes: 1 << 19 };
const message = (text: string): OutgoingMessage => ({
  body: Buffer.from(text),
  properties: { messageId: text.slice(0, 20) },
});
const asChannel = (channel: ScriptedChannel): ConfirmChannel => channel as unknown as ConfirmChannel;
const logger = getLogger('test.amqp-publisher');

async function outcome(promise: Promise<void>): Promise<string> {
  try {
    await promise;
    return 'confirmed';
  } catch (error) {
    return `${(error as MicroservicesError).code}: ${(error as Error).message}`;
  }
}

describe('AMQP publisher', () => {
  it('issue 10 item 4: amqplib throwing while encoding fails that publish at once; the channel and later publishes carry on', async () => {
    const channel = new ScriptedChannel((body) => {
      if (body.toString() === 'bad') throw new TypeError("Field 'priority' is the wrong type");
    });
    const publisher = new AmqpPublisher(LIMITS, logger);
    publisher.attach(asChannel(channel));
    const bad = outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('bad')));
    const good = outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('good')));
    expect(await bad).toMatch(/^MS_QUEUE_UNENCODABLE: amqplib could not encode/);
    expect(publisher.hasChannel).toBe(true);
    channel.confirmAll();
    expect(await good).toBe('confirmed');
    publisher.close();
  });

  it('issue 10 item 4: properties AMQP cannot carry reject before anything is written', async () => {
    const channel = new ScriptedChannel();
    const publisher = new AmqpPublisher(LIMITS, logger);
    publisher.attach(asChannel(channel));
    const bad = { body: Buffer.from('x'), properties: { priority: 1000 } };
    expect(await outcome(publisher.publish({ exchange: '', routingKey: 'q' }, bad))).toMatch(/^MS_QUEUE_UNENCODABLE/);
    const longQueue = outcome(publisher.publish({ exchange: '', routingKey: 'q'.repeat(256) }, message('x')));
    expect(await longQueue).toMatch(
      /^MS_QUEUE_UNENCODABLE: The routing key must be a string of at most 255 bytes; got 256/,
    );
    expect(channel.confirms).toHaveLength(0);
    expect(publisher.pendingCount).toBe(0);
    publisher.close();
  });

  it('issue 10 item 5: a channel closed with 406 fails the refused message for good and resends the others', async () => {
    const first = new ScriptedChannel();
    const publisher = new AmqpPublisher(LIMITS, logger, () => {});
    publisher.attach(asChannel(first));
    const big = outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('x'.repeat(2000))));
    const after = outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('small')));
    first.closeByBroker(406, 'PRECONDITION_FAILED - message size 2000 is larger than configured max size 1024');
    expect(await big).toBe(
      "MS_QUEUE_MESSAGE_TOO_LARGE: The message of 2000 bytes exceeds the broker's max_message_size of 1024 bytes (406); it was not sent again",
    );
    const second = new ScriptedChannel();
    publisher.attach(asChannel(second));
    expect(second.confirms.map(({ body }) => body.toString())).toEqual(['small']);
    second.confirmAll();
    expect(await after).toBe('confirmed');
    publisher.close();
  });

  it('issue 10 item 5: a body over the broker limit or the buffer names the limit instead of "buffer full, retry later"', async () => {
    const publisher = new AmqpPublisher(LIMITS, logger);
    expect(await outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('x'.repeat(600_000))))).toMatch(
      /^MS_QUEUE_MESSAGE_TOO_LARGE: The message of 600000 bytes exceeds the broker's max_message_size of 524288 bytes/,
    );
    const roomy = new AmqpPublisher({ ...LIMITS, maxBufferedBytes: 1000 }, logger);
    expect(await outcome(roomy.publish({ exchange: '', routingKey: 'q' }, message('x'.repeat(2000))))).toMatch(
      /^MS_QUEUE_MESSAGE_TOO_LARGE: .*exceeds maxBufferedBytes \(1000 bytes\)/,
    );
    publisher.close();
    roomy.close();
  });

  it('issue 10 item 6 (low): a timed-out publish that was written says it may have been delivered; one never written says so', async () => {
    const publisher = new AmqpPublisher(LIMITS, logger);
    const unsent = outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('a'), { timeoutMs: 50 }));
    expect(await unsent).toMatch(/^MS_QUEUE_PUBLISH_TIMEOUT: .*within 50 ms; it was never sent/);
    publisher.attach(asChannel(new ScriptedChannel()));
    const written = outcome(publisher.publish({ exchange: '', routingKey: 'q' }, message('b'), { timeoutMs: 50 }));
    expect(await written).toMatch(/^MS_QUEUE_PUBLISH_TIMEOUT: .*within 50 ms; it may have been delivered$/);
    publisher.close();
  });
});
