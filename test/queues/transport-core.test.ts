/**
 * Issue 11: what the transport core owns once for every broker: the record of declared topology replayed
 * after a reconnect, the consumer registry, the close-once lifecycle, and the mapping of broker failures
 * to catalogue codes.
 */
import { describe, expect, it } from 'vitest';
import { MicroservicesError } from '../../src/errors.js';
import { ConsumerRegistry } from '../../src/queues/transports/core/consumer-registry.js';
import { connectFailure, failureError, publishFailure } from '../../src/queues/transports/core/failures.js';
import { wildcardWords } from '../../src/queues/transports/core/topic.js';
import { TopologyRecord } from '../../src/queues/transports/core/topology-record.js';
import { type TopologyPrimitives, TransportBase } from '../../src/queues/transports/core/transport-base.js';
import type { OutgoingMessage, PublishTarget } from '../../src/queues/transports/transport.js';

function recordingDeclarer(): { calls: string[]; declarer: Parameters<TopologyRecord['replay']>[0] } {
  const calls: string[] = [];
  return {
    calls,
    declarer: {
      declareExchange: async (name, options) => void calls.push(`exchange ${name} ${options.type}`),
      declareQueue: async (name, options) => void calls.push(`queue ${name} ${options.deadLetterQueue ?? '-'}`),
      bindQueue: async (queue, exchange, key) => void calls.push(`bind ${queue} ${exchange} ${key}`),
    },
  };
}

describe('TopologyRecord', () => {
  it('replays exchanges, then queues, then bindings, each once with the options it was declared with', async () => {
    const record = new TopologyRecord();
    record.bound('jobs', 'events', 'user.*');
    record.queueDeclared('jobs', { deadLetterQueue: 'jobs.dead' });
    record.exchangeDeclared('events', { type: 'topic' });
    record.queueDeclared('jobs', { deadLetterQueue: 'jobs.dead' });
    const { calls, declarer } = recordingDeclarer();
    await record.replay(declarer);
    expect(calls).toEqual(['exchange events topic', 'queue jobs jobs.dead', 'bind jobs events user.*']);
  });

  it('forgets a deleted queue or exchange and the bindings that named it', async () => {
    const record = new TopologyRecord();
    record.exchangeDeclared('a', { type: 'direct' });
    record.exchangeDeclared('b', { type: 'fanout' });
    record.queueDeclared('q1', {});
    record.queueDeclared('q2', {});
    record.bound('q1', 'a', 'k');
    record.bound('q2', 'b', '');
    record.bound('q2', 'a', 'k');
    record.queueDeleted('q1');
    record.exchangeDeleted('b');
    const { calls, declarer } = recordingDeclarer();
    await record.replay(declarer);
    expect(calls).toEqual(['exchange a direct', 'queue q2 -', 'bind q2 a k']);
    expect(record.queueOptions('q1')).toBeUndefined();
    expect(record.hasExchange('b')).toBe(false);
  });
});

describe('ConsumerRegistry', () => {
  it('re-subscribes every consumer after a reconnect; one that fails does not stop the others', async () => {
    const registry = new ConsumerRegistry<string>();
    for (const name of ['a', 'b', 'c']) registry.add(name);
    const done: string[] = [];
    const failed: string[] = [];
    await registry.resubscribe(
      async (name) => {
        if (name === 'b') throw new Error('queue deleted');
        done.push(name);
      },
      (name) => failed.push(name),
    );
    expect(done).toEqual(['a', 'c']);
    expect(failed).toEqual(['b']);
  });

  it('stopAll waits for every consumer, failures included', async () => {
    const registry = new ConsumerRegistry<number>();
    registry.add(1);
    registry.add(2);
    const stopped: number[] = [];
    await registry.stopAll(async (n) => {
      if (n === 1) throw new Error('already gone');
      await new Promise((resolve) => setTimeout(resolve, 5));
      stopped.push(n);
    });
    expect(stopped).toEqual([2]);
  });
});

class FakeTransport extends TransportBase<string> {
  readonly capabilities = { exchangeTypes: ['direct'] as const, durable: false, nativeDeadLetter: false };
  readonly connected = true;
  readonly log: string[] = [];
  sends = 0;
  release: (() => void) | undefined;

  constructor() {
    super('fake://test');
  }

  protected topology(): TopologyPrimitives {
    throw this.notConnectedError();
  }

  protected send(_target: PublishTarget, _message: OutgoingMessage): Promise<void> {
    this.sends += 1;
    return this.track(new Promise<void>((resolve) => (this.release = resolve)));
  }

  protected async shutDown(): Promise<void> {
    this.log.push(`closing ${this.isClosing}`);
    await this.settlePending();
    this.log.push('settled');
  }
}

describe('TransportBase', () => {
  it('closes once, waits for tracked publishes, then refuses publishes with MS_QUEUE_CLOSED', async () => {
    const transport = new FakeTransport();
    const sent = transport.publish({ exchange: '', routingKey: 'q' }, { body: Buffer.from('x'), properties: {} });
    const first = transport.close();
    expect(transport.close()).toBe(first);
    expect(transport.log).toEqual(['closing true']);
    transport.release?.();
    await sent;
    await first;
    expect(transport.log).toEqual(['closing true', 'settled']);
    await expect(
      transport.publish({ exchange: '', routingKey: 'q' }, { body: Buffer.from('y'), properties: {} }),
    ).rejects.toMatchObject({ code: 'MS_QUEUE_CLOSED' });
    expect(transport.sends).toBe(1);
  });

  it('turns a refused topology call into a rejected promise, never a synchronous throw', async () => {
    const transport = new FakeTransport();
    let declaring: Promise<void> | undefined;
    expect(() => {
      declaring = transport.declareQueue('q');
    }).not.toThrow();
    await expect(declaring).rejects.toMatchObject({ code: 'MS_QUEUE_NOT_CONNECTED' });
    expect(String(transport)).toBe('fake://test');
  });
});

describe('broker failures to catalogue codes', () => {
  const classify = (error: unknown) => {
    const text = String((error as Error).message);
    if (text.includes('auth')) return 'refused-login' as const;
    if (text.includes('nobody')) return 'unroutable' as const;
    if (text.includes('slow')) return 'timeout' as const;
    return undefined;
  };

  it.each([
    [new Error('bad auth'), 'MS_QUEUE_ACCESS_REFUSED'],
    [new Error('ECONNREFUSED'), 'MS_QUEUE_CONNECT_FAILED'],
  ])('connectFailure(%s) is %s', (error, code) => {
    expect(connectFailure('x://host', error, classify)).toMatchObject({ code, cause: error });
  });

  it.each([
    [new Error('nobody listens'), 'MS_QUEUE_UNROUTABLE'],
    [new Error('too slow'), 'MS_QUEUE_PUBLISH_TIMEOUT'],
    [new Error('something else'), 'MS_QUEUE_PUBLISH_FAILED'],
  ])('publishFailure(%s) is %s', (error, code) => {
    expect(publishFailure(error, classify, { to: 'q', timeoutMs: 5 })).toMatchObject({ code });
  });

  it('passes a catalogue error through unchanged', () => {
    const original = failureError('unknown-exchange', 'no exchange "e"');
    expect(original).toBeInstanceOf(MicroservicesError);
    expect(original.code).toBe('MS_QUEUE_UNKNOWN_EXCHANGE');
    expect(publishFailure(original, classify, { to: 'q', timeoutMs: 5 })).toBe(original);
    expect(connectFailure('x://host', original, classify)).toBe(original);
  });
});

describe('wildcardWords', () => {
  it('spells AMQP topic wildcards in a broker syntax, refusing # before the last word', () => {
    const nats = { broker: 'NATS', oneWord: '*', rest: '>', word: (word: string) => word.toUpperCase() };
    expect(wildcardWords('user.*.#', nats)).toEqual(['USER', '*', '>']);
    expect(() => wildcardWords('a.#.b', nats)).toThrow(/NATS topic bindings support "#" only as the last word/);
  });
});
