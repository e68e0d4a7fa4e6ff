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

/**
 * Reads the delivery info from an ack subject, in both forms the server uses:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<nanos>.<pending>` (9 tokens) and
 * `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<nanos>.<pending>.<random>` (12).
 * @example parseAckSubject('$JS.ACK.S.C.1.7.7.1700000000000000000.0').streamSequence; // 7
 */
export function parseAckSubject(reply: string): DeliveryInfo {
  const tokens = reply.split('.');
  if (tokens.length === 9) tokens.splice(2, 0, '_', '');
  if (tokens.length < 11 || tokens[0] !== '$JS' || tokens[1] !== 'ACK') {
    throw new Error(`not a JetStream ack subject: ${reply}`);
  }
  const deliveryCount = Number.parseInt(tokens[6] as string, 10);
  return {
    domain: tokens[2] === '_' ? '' : (tokens[2] as string),
    account_hash: tokens[3] as string,
    stream: tokens[4] as string,
    consumer: tokens[5] as string,
    deliveryCount,
    redelivered: deliveryCount > 1,
    streamSequence: Number.parseInt(tokens[7] as string, 10),
    deliverySequence: Number.parseInt(tokens[8] as string, 10),
    timestampNanos: Number.parseInt(tokens[9] as string, 10),
    pending: Number.parseInt(tokens[10] as string, 10),
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
