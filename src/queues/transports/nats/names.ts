/**
 * How queue, exchange and routing-key names map onto JetStream stream names, consumer names and subjects.
 * NATS forbids `.`, `*`, `>` and white space in stream names and gives `.`, `*`, `>` a meaning in subjects,
 * so every name is escaped into a token of `[A-Za-z0-9-]` plus `_XX` hex escapes. The escape is injective:
 * two different names never share a stream or a subject.
 */
import { escapeName } from '../core/names.js';
import { wildcardWords } from '../core/topic.js';
import type { ExchangeType } from '../transport.js';

const SAFE = /^[A-Za-z0-9-]$/;

/**
 * Escapes one name into a single NATS token (no dots, no wildcards).
 * @example natsToken('orders.eu'); // 'orders_2eeu'
 */
export function natsToken(name: string): string {
  return escapeName(name, { safe: SAFE, escape: '_', empty: '_' });
}

/**
 * The stream that holds a queue's messages.
 * @example queueStreamName('basic'); // 'MSQ_basic'
 */
export function queueStreamName(queue: string): string {
  return `MSQ_${natsToken(queue)}`;
}

/**
 * The subject a message for a queue is published on (the default exchange).
 * @example queueSubject('basic'); // 'msq.basic'
 */
export function queueSubject(queue: string): string {
  return `msq.${natsToken(queue)}`;
}

/**
 * The stream that receives an exchange's messages; bound queues read it through their own consumers.
 * @example exchangeStreamName('events'); // 'MSE_events'
 */
export function exchangeStreamName(exchange: string): string {
  return `MSE_${natsToken(exchange)}`;
}

/** Routing keys keep their dot-separated words, so topic patterns map onto NATS subject wildcards. */
function routingWords(routingKey: string): string[] {
  return routingKey.split('.').map(natsToken);
}

/**
 * The subject a message published to an exchange with a routing key goes to.
 * @example exchangeSubject('events', 'user.created'); // 'mse.events.user.created'
 */
export function exchangeSubject(exchange: string, routingKey: string): string {
  return `mse.${natsToken(exchange)}.${routingWords(routingKey).join('.')}`;
}

/**
 * The consumer filters that select what a binding receives: every message (fanout), one routing key
 * (direct) or a topic pattern where `*` is one word and a trailing `#` zero or more words. A trailing `#`
 * needs two filters (`a` and `a.>`), because NATS `>` matches one or more words, never zero.
 * @example bindingFilters('events', 'topic', 'user.#'); // ['mse.events.user', 'mse.events.user.>']
 */
export function bindingFilters(exchange: string, type: ExchangeType, bindingKey: string): string[] {
  const prefix = `mse.${natsToken(exchange)}`;
  if (type === 'fanout') return [`${prefix}.>`];
  if (type === 'direct') return [exchangeSubject(exchange, bindingKey)];
  const mapped = wildcardWords(bindingKey, { broker: 'NATS', oneWord: '*', rest: '>', word: natsToken });
  const filter = `${prefix}.${mapped.join('.')}`;
  if (mapped.length > 1 && mapped.at(-1) === '>') return [filter.slice(0, -2), filter];
  return [filter];
}

/**
 * True when a subject matches a NATS filter (`*` one token, trailing `>` one or more tokens).
 * @example subjectMatches('mse.e.a.*', 'mse.e.a.b'); // true
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const want = filter.split('.');
  const got = subject.split('.');
  for (let index = 0; index < want.length; index += 1) {
    const token = want[index];
    if (token === '>') return got.length > index;
    if (index >= got.length || (token !== '*' && token !== got[index])) return false;
  }
  return want.length === got.length;
}

/**
 * A durable consumer name for one binding of a queue; stable across processes so that every service
 * instance competes on the same consumer.
 * @example bindingConsumerName('audit', 'user.*'); // 'B_audit_1f0c…'
 */
export function bindingConsumerName(queue: string, bindingKey: string, hash: (text: string) => string): string {
  return `B_${natsToken(queue).slice(0, 80)}_${hash(`${queue}\u0000${bindingKey}`)}`;
}

/** The durable consumer every instance of a queue's consumers shares (competing consumers). */
export const QUEUE_CONSUMER_NAME = 'workers';
