/**
 * Topic layout of the `mqtt://` transport. MQTT has no queues and no exchanges, only topics, so:
 * - a queue is the topic `ms/q/<queue>` plus a persistent session `msq-<queue>` subscribed to it;
 * - an exchange is the topic tree `ms/x/<exchange>/<routing key words>`; a binding subscribes the queue's
 *   session to a filter on that tree (`+` is AMQP's `*`, a trailing `#` is AMQP's `#`);
 * - declarations are retained messages under `ms/meta/...`, so every process can read them.
 * Names are escaped so that `/`, `+`, `#`, `$` and other specials never reach a topic or share name.
 */
import { escapeName } from '../core/names.js';
import { wildcardWords } from '../core/topic.js';
import type { ExchangeType } from '../transport.js';

const SAFE = /^[A-Za-z0-9._-]$/;
const MAX_REMEMBERED_TOPICS = 1000;
const queueTopics = new Map<string, string>();

/**
 * Escapes a name into one topic level (no `/`, no wildcards); injective, so names never collide.
 * @example mqttLevel('a/b'); // 'a%2fb'
 */
export function mqttLevel(name: string): string {
  return escapeName(name, { safe: SAFE, escape: '%', empty: '%' });
}

/**
 * The topic a queue's messages are published on.
 * @example queueTopic('basic'); // 'ms/q/basic'
 */
export function queueTopic(queue: string): string {
  let topic = queueTopics.get(queue);
  if (topic === undefined) {
    // Escaping runs a regex per character: remembered, since a process publishes to few queues.
    if (queueTopics.size >= MAX_REMEMBERED_TOPICS) queueTopics.clear();
    topic = `ms/q/${mqttLevel(queue)}`;
    queueTopics.set(queue, topic);
  }
  return topic;
}

/**
 * The shared-subscription filter a queue's session holds, so several sessions can compete for one queue.
 * @example sharedFilter('basic', 'ms/q/basic'); // '$share/basic/ms/q/basic'
 */
export function sharedFilter(queue: string, filter: string): string {
  // The share name may not contain '/', '+' or '#'; mqttLevel never emits them.
  return `$share/${mqttLevel(queue)}/${filter}`;
}

/**
 * The persistent session (client id) that holds a queue's messages; `member` names an extra competing session.
 * @example queueClientId('basic'); // 'msq-basic'
 */
export function queueClientId(queue: string, member?: string): string {
  return member ? `msq-${mqttLevel(queue)}~${mqttLevel(member)}` : `msq-${mqttLevel(queue)}`;
}

/**
 * The topic of a message published to an exchange: one topic level per routing-key word.
 * @example exchangeTopic('events', 'user.created'); // 'ms/x/events/user/created'
 */
export function exchangeTopic(exchange: string, routingKey: string): string {
  return `ms/x/${mqttLevel(exchange)}/${routingKey.split('.').map(mqttLevel).join('/')}`;
}

/**
 * The subscription filter of a binding.
 * @example bindingTopicFilter('events', 'topic', 'user.#'); // 'ms/x/events/user/#'
 */
export function bindingTopicFilter(exchange: string, type: ExchangeType, bindingKey: string): string {
  const prefix = `ms/x/${mqttLevel(exchange)}`;
  if (type === 'fanout') return `${prefix}/#`;
  if (type === 'direct') return exchangeTopic(exchange, bindingKey);
  const levels = wildcardWords(bindingKey, { broker: 'MQTT', oneWord: '+', rest: '#', word: mqttLevel });
  return `${prefix}/${levels.join('/')}`;
}

/** Turns the levels after `ms/x/<exchange>/` back into the dotted routing key. */
export function routingKeyOf(topic: string): string {
  return topic
    .split('/')
    .slice(3)
    .map((level) => (level === '%' ? '' : decodeURIComponent(level)))
    .join('.');
}

/** Retained declaration topics. */
export const metaTopic = {
  queue: (queue: string): string => `ms/meta/q/${mqttLevel(queue)}`,
  exchange: (exchange: string): string => `ms/meta/x/${mqttLevel(exchange)}`,
  binding: (exchange: string, queue: string, key: string): string =>
    `ms/meta/b/${mqttLevel(exchange)}/${mqttLevel(queue)}/${mqttLevel(key)}`,
  bindingsOfExchange: (exchange: string): string => `ms/meta/b/${mqttLevel(exchange)}/#`,
  bindingsOfQueue: (queue: string): string => `ms/meta/b/+/${mqttLevel(queue)}/#`,
} as const;
