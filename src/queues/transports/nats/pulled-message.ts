/**
 * A JetStream message received on the pull loop's own inbox (pull-inbox.ts). The client makes `JsMsg`s only
 * inside its own `fetch()`/`consume()` and does not export the wrapper, so this one gives the transport the
 * part of `JsMsg` it uses: the delivery info parsed from the `$JS.ACK…` reply subject, and the settlements
 * (each a one-token reply to that subject, the first final one wins, as in the client).
 */
import type { DeliveryInfo, JsMsg } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/nats-core';

/** What the transport needs of a delivered JetStream message; the client's `JsMsg` has it too. */
export type NatsMessage = Pick<
  JsMsg,
  'ack' | 'nak' | 'working' | 'term' | 'ackAck' | 'info' | 'seq' | 'data' | 'headers' | 'subject'
>;

const ACK = Uint8Array.of(43, 65, 67, 75); // +ACK
const NAK = Uint8Array.of(45, 78, 65, 75); // -NAK
const WORKING = Uint8Array.of(43, 87, 80, 73); // +WPI
const TERM = Uint8Array.of(43, 84, 69, 82, 77); // +TERM
const encoder = new TextEncoder();

/** True when `reply` is the ack subject of a JetStream delivery (a status message has none). */
export function isAckSubject(reply: string | undefined): reply is string {
  return reply?.startsWith('$JS.ACK.') === true;
}

/** The decimal number in `text` from `start` to `end`; NaN when a character is not a digit. */
function decimalAt(text: string, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Reads the delivery info from an ack subject, in both forms the server uses:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<nanos>.<pending>` (9 tokens) and
 * `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<nanos>.<pending>.<random>` (12).
 * One scan for the dots and no substring for the numbers: it runs once per message.
 * @example parseAckSubject('$JS.ACK.S.C.1.7.7.1700000000000000000.0').streamSequence; // 7
 */
export function parseAckSubject(reply: string): DeliveryInfo {
  // Where each token after `$JS.ACK.` starts, plus the end of the subject.
  const starts: number[] = [];
  if (reply.startsWith('$JS.ACK.')) {
    starts.push(8);
    for (let dot = reply.indexOf('.', 8); dot !== -1 && starts.length <= 12; dot = reply.indexOf('.', dot + 1)) {
      starts.push(dot + 1);
    }
  }
  const count = starts.length; // tokens after `$JS.ACK`
  if (count !== 7 && count < 9) throw new Error(`not a JetStream ack subject: ${reply}`);
  starts.push(reply.length + 1);
  // In the 9-token form the stream is the first token after `$JS.ACK`; in the longer form the third.
  const first = count === 7 ? 0 : 2;
  const token = (index: number): string => reply.slice(starts[index] as number, (starts[index + 1] as number) - 1);
  const number = (index: number): number =>
    decimalAt(reply, starts[index] as number, (starts[index + 1] as number) - 1);
  const domain = first === 0 ? '' : token(0);
  const deliveryCount = number(first + 2);
  return {
    domain: domain === '_' ? '' : domain,
    account_hash: first === 0 ? '' : token(1),
    stream: token(first),
    consumer: token(first + 1),
    deliveryCount,
    redelivered: deliveryCount > 1,
    streamSequence: number(first + 3),
    deliverySequence: number(first + 4),
    timestampNanos: number(first + 5),
    pending: number(first + 6),
  };
}

export class PulledMessage implements NatsMessage {
  readonly #msg: Msg;
  readonly #reply: string;
  readonly #connection: NatsConnection;
  #info: DeliveryInfo | undefined;
  #settled = false;

  constructor(msg: Msg, reply: string, connection: NatsConnection) {
    this.#msg = msg;
    this.#reply = reply;
    this.#connection = connection;
  }

  get subject(): string {
    return this.#msg.subject;
  }

  get data(): Uint8Array {
    return this.#msg.data;
  }

  get headers(): Msg['headers'] {
    return this.#msg.headers;
  }

  get info(): DeliveryInfo {
    this.#info ??= parseAckSubject(this.#reply);
    return this.#info;
  }

  get seq(): number {
    return this.info.streamSequence;
  }

  ack(): void {
    this.#settle(ACK);
  }

  nak(delayMs?: number): void {
    // The server takes the delay in nanoseconds.
    this.#settle(delayMs ? encoder.encode(`-NAK ${JSON.stringify({ delay: delayMs * 1_000_000 })}`) : NAK);
  }

  /** Asks for more time (AckWait starts again); not final. */
  working(): void {
    if (!this.#settled) this.#msg.respond(WORKING);
  }

  term(reason = ''): void {
    this.#settle(reason ? encoder.encode(`+TERM ${reason}`) : TERM);
  }

  /** Acks and resolves true once the server confirms; false when already settled. */
  async ackAck(options?: { readonly timeout?: number }): Promise<boolean> {
    if (this.#settled) return false;
    this.#settled = true;
    await this.#connection.request(this.#reply, ACK, { timeout: options?.timeout ?? 5000 });
    return true;
  }

  #settle(payload: Uint8Array): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#msg.respond(payload);
  }
}
