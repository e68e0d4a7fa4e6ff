/**
 * The NATS pull loop on its own inbox (src/queues/transports/nats/pull-inbox.ts, consumer.ts) against a fake
 * connection that plays the server: it records the pull requests and delivers what the test tells it to,
 * with the statuses a real server sends. No broker needed.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PrefetchWindow, PullLoop } from '../../src/queues/transports/nats/consumer.js';
import { FORGOTTEN_MARGIN_MS } from '../../src/queues/transports/nats/pull-inbox.js';
import type { NatsMessage } from '../../src/queues/transports/nats/pulled-message.js';
import { parseAckSubject } from '../../src/queues/transports/nats/pulled-message.js';
import type { NatsSource } from '../../src/queues/transports/nats/topology.js';

type Callback = (error: Error | null, msg: unknown) => void;

interface FakeRequest {
  readonly inbox: string;
  readonly batch: number;
  readonly expiresNanos: number;
}

const decoder = new TextDecoder();
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Plays the JetStream server for one consumer `S`/`C`: pull requests in, messages and statuses out. */
class FakeServer {
  readonly requests: FakeRequest[] = [];
  /** Every settlement the client sent, as `<stream sequence> <payload>`. */
  readonly settlements: string[] = [];
  readonly subscriptions = new Map<string, { callback: Callback; draining: boolean }>();
  /** Serves every pull request in full on the next turn, as a server with a backlog does. */
  autoServe = false;
  /** Drains never finish, as while the link to the server is down. */
  drainHangs = false;
  #sequence = 0;

  readonly connection = {
    subscribe: (subject: string, options: { callback: Callback }) => {
      const entry = { callback: options.callback, draining: false };
      this.subscriptions.set(subject, entry);
      return {
        unsubscribe: () => this.subscriptions.delete(subject),
        drain: async () => {
          entry.draining = true;
          if (this.drainHangs) await new Promise(() => undefined);
          // One round trip: what the server sent before the unsubscribe still arrives.
          await new Promise((resolve) => setTimeout(resolve, 20));
          this.subscriptions.delete(subject);
        },
      };
    },
    publish: (subject: string, data: Uint8Array, options: { reply: string }) => {
      expect(subject).toBe('$JS.API.CONSUMER.MSG.NEXT.S.C');
      const body = JSON.parse(decoder.decode(data)) as { batch: number; expires: number };
      const request = { inbox: options.reply, batch: body.batch, expiresNanos: body.expires };
      this.requests.push(request);
      if (this.autoServe) setImmediate(() => this.deliver(request, request.batch));
    },
    isClosed: () => false,
    request: async () => ({}),
  } as unknown as NatsConnection;

  get last(): FakeRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no pull request yet');
    return request;
  }

  /** Sends `count` stored messages to the inbox of `request`. */
  deliver(request: FakeRequest, count: number): void {
    for (let index = 0; index < count; index++) {
      this.#sequence += 1;
      const sequence = this.#sequence;
      const reply = `$JS.ACK.S.C.1.${sequence}.${sequence}.1700000000000000000.0`;
      this.#send(request.inbox, {
        subject: 'work.q',
        reply,
        data: new TextEncoder().encode(`{"n":${sequence}}`),
        headers: undefined,
        respond: (payload: Uint8Array) => {
          this.settlements.push(`${sequence} ${decoder.decode(payload)}`);
          return true;
        },
      });
    }
  }

  /** Sends a status message (408 request timeout, 409, 503 no responders, 100 heartbeat) to `request`. */
  status(request: FakeRequest, code: number, description = ''): void {
    this.#send(request.inbox, {
      subject: request.inbox,
      reply: '',
      data: new Uint8Array(),
      headers: { code, description },
    });
  }

  #send(inbox: string, msg: unknown): void {
    this.subscriptions.get(inbox)?.callback(null, msg);
  }
}

const source: NatsSource = { stream: 'S', consumer: 'C', exchange: '' } as NatsSource;
let inboxes = 0;
const loops: PullLoop[] = [];

function startLoop(
  server: FakeServer,
  window: PrefetchWindow,
  dispatch: (message: NatsMessage) => void,
  expiresMs = 5000,
) {
  const loop = new PullLoop({
    connection: () => server.connection,
    createInbox: () => `_INBOX.test.${++inboxes}`,
    source,
    window,
    logger: silent,
    dispatch,
    reconnectDelay: { initialDelayMs: 10, maxDelayMs: 20 },
    sourceCount: 1,
    whenConnected: () => Promise.resolve(),
    expiresMs,
  });
  loops.push(loop);
  return loop;
}

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await tick(5);
  }
}

afterEach(async () => {
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
});

describe('nats pull loop on its own inbox', () => {
  it('reads the delivery info from both forms of the ack subject', () => {
    const short = parseAckSubject('$JS.ACK.S.C.2.7.9.1700000000000000000.3');
    expect(short).toMatchObject({ stream: 'S', consumer: 'C', deliveryCount: 2, streamSequence: 7 });
    expect(short).toMatchObject({ deliverySequence: 9, pending: 3, redelivered: true, domain: '' });
    const long = parseAckSubject('$JS.ACK.hub.ACC.S.C.1.8.10.1700000000000000000.0.xyz');
    expect(long).toMatchObject({ domain: 'hub', stream: 'S', consumer: 'C', deliveryCount: 1, streamSequence: 8 });
    expect(() => parseAckSubject('_INBOX.abc')).toThrow(/ack subject/);
  });

  it('never holds more than the prefetch, delivered plus requested, with a slow handler', async () => {
    const server = new FakeServer();
    server.autoServe = true;
    const window = new PrefetchWindow(10);
    let worst = 0;
    let settled = 0;
    const check = (): void => {
      worst = Math.max(worst, window.inFlight + window.requested);
    };
    startLoop(server, window, (message) => {
      check();
      // Settles after 0 to 4 ms, out of order.
      setTimeout(() => {
        message.ack();
        window.settled();
        settled += 1;
        check();
      }, settled % 5);
    });
    await until(() => settled >= 300, 10_000);
    expect(worst).toBeGreaterThan(5);
    expect(worst).toBeLessThanOrEqual(10);
    for (const request of server.requests) expect(request.batch).toBeLessThanOrEqual(10);
  });

  it('gives back what a 408 says was not delivered, ignores heartbeats and backs off from a 503', async () => {
    const server = new FakeServer();
    const window = new PrefetchWindow(10);
    const got: NatsMessage[] = [];
    startLoop(server, window, (message) => got.push(message));
    await until(() => server.requests.length === 1);
    const first = server.last;
    expect(first.batch).toBe(10);
    expect(first.expiresNanos).toBe(5000 * 1_000_000);
    server.deliver(first, 3);
    server.status(first, 100, 'Idle Heartbeat');
    expect(window.free).toBe(0);
    server.status(first, 408, 'Request Timeout');
    // 3 in flight, 7 given back: the next pull asks for those 7 on the same inbox.
    await until(() => server.requests.length === 2);
    expect(server.last).toMatchObject({ inbox: first.inbox, batch: 7 });
    server.status(server.last, 503);
    // Refused: the inbox is dropped and the next pull, after the backoff, goes out on a new one.
    expect(window.free).toBe(7);
    await until(() => server.requests.length === 3);
    expect(server.last.inbox).not.toBe(first.inbox);
    expect(got).toHaveLength(3);
  });

  it('gives back a request the server forgot, on a new inbox', async () => {
    const server = new FakeServer();
    const window = new PrefetchWindow(5);
    startLoop(server, window, () => undefined, 100);
    await until(() => server.requests.length === 1);
    const forgotten = server.last;
    await tick(50);
    expect(server.requests).toHaveLength(1);
    await until(() => server.requests.length === 2, 100 + FORGOTTEN_MARGIN_MS + 1000);
    expect(server.last.batch).toBe(5);
    expect(server.last.inbox).not.toBe(forgotten.inbox);
    // Whatever the old request still sends during the drain is not counted: it goes back at once.
    server.deliver(forgotten, 1);
    expect(server.settlements).toEqual(['1 -NAK']);
    expect(window.inFlight).toBe(0);
  });

  it('naks a message that arrives after stop and gives back the open request', async () => {
    const server = new FakeServer();
    const window = new PrefetchWindow(4);
    const got: NatsMessage[] = [];
    const loop = startLoop(server, window, (message) => got.push(message));
    await until(() => server.requests.length === 1);
    const request = server.last;
    server.deliver(request, 1);
    const stopping = loop.stop();
    server.deliver(request, 2);
    await stopping;
    expect(got).toHaveLength(1);
    expect(server.settlements).toEqual(['2 -NAK', '3 -NAK']);
    expect(window.inFlight).toBe(1);
    expect(window.free).toBe(3);
  });

  it('pulls again at once after a reconnect, on a new inbox', async () => {
    const server = new FakeServer();
    const window = new PrefetchWindow(6);
    const loop = startLoop(server, window, () => undefined);
    await until(() => server.requests.length === 1);
    const before = server.last;
    server.deliver(before, 2);
    loop.interrupt();
    await until(() => server.requests.length === 2);
    expect(server.last).toMatchObject({ batch: 4 });
    expect(server.last.inbox).not.toBe(before.inbox);
    expect(window.inFlight).toBe(2);
    expect(window.free).toBe(0);
  });

  it('stops within a bounded time when the inbox cannot drain (link down)', async () => {
    const server = new FakeServer();
    server.drainHangs = true;
    const window = new PrefetchWindow(3);
    const loop = startLoop(server, window, () => undefined);
    await until(() => server.requests.length === 1);
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(window.free).toBe(3);
  });

  it('settles as the client does: the first final settlement wins, working() is not final', async () => {
    const server = new FakeServer();
    const window = new PrefetchWindow(3);
    const got: NatsMessage[] = [];
    startLoop(server, window, (message) => got.push(message));
    await until(() => server.requests.length === 1);
    server.deliver(server.last, 3);
    const [first, second, third] = got as [NatsMessage, NatsMessage, NatsMessage];
    expect(first.seq).toBe(1);
    expect(first.info).toMatchObject({ stream: 'S', consumer: 'C', deliveryCount: 1, streamSequence: 1 });
    first.working();
    first.nak(1500);
    first.ack();
    second.term('bad');
    third.ack();
    third.nak();
    expect(server.settlements).toEqual(['1 +WPI', '1 -NAK {"delay":1500000000}', '2 +TERM bad', '3 +ACK']);
  });

  it('gives back a message it cannot hand out, and keeps pulling', async () => {
    const server = new FakeServer();
    const window = new PrefetchWindow(2);
    let calls = 0;
    startLoop(server, window, () => {
      calls += 1;
      if (calls === 1) throw new Error('cannot read it');
    });
    await until(() => server.requests.length === 1);
    server.deliver(server.last, 2);
    expect(server.settlements).toEqual(['1 -NAK']);
    expect(window.inFlight).toBe(1);
    await until(() => server.requests.length === 2);
    expect(server.last.batch).toBe(1);
  });
});
