/**
 * Declarations for the `mqtt://` transport. A declaration is a retained message under `ms/meta/...` that
 * every process can read, plus, the first time, a subscription of the queue's persistent session (made
 * through a short connection as that session, which holds back every acknowledgement so nothing queued
 * is consumed by it). Purging drains the session the same way, acknowledging what it receives.
 */
import { ERRORS } from '../../../errors.js';
import type { Logger } from '../../../logging.js';
import type { TopologyPrimitives } from '../core/transport-base.js';
import type { ExchangeOptions, ExchangeType, QueueOptions } from '../transport.js';
import type { MqttControl } from './control.js';
import { bindingTopicFilter, metaTopic, queueClientId, queueTopic, sharedFilter } from './names.js';
import type { MqttModule } from './peer.js';
import { MqttSession } from './session.js';
import type { MqttSettings } from './settings.js';

interface QueueMeta {
  readonly kind: 'queue';
  readonly deadLetterQueue: string | false | null;
}
interface ExchangeMeta {
  readonly kind: 'exchange';
  readonly type: ExchangeType;
}
interface BindingMeta {
  readonly kind: 'binding';
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly filter: string;
}

/** After connecting to drain a queue, it is empty once nothing has arrived for this long. */
const DRAIN_QUIET_MS = 300;
const EXCHANGE_CACHE_MS = 1000;

export class MqttTopology implements TopologyPrimitives {
  readonly #exchangeSeen = new Map<string, number>();

  readonly #liveSession: (queue: string) => MqttSession | undefined;

  readonly #logger: Logger;

  readonly #settings: MqttSettings;

  readonly #mqtt: MqttModule;

  readonly #control: MqttControl;

  constructor(
    control: MqttControl,
    mqtt: MqttModule,
    settings: MqttSettings,
    logger: Logger,
    /** This transport's live connection to a queue's session, when it has one. */
    liveSession: (queue: string) => MqttSession | undefined,
  ) {
    this.#liveSession = liveSession;
    this.#logger = logger;
    this.#settings = settings;
    this.#mqtt = mqtt;
    this.#control = control;
  }

  clientId(queue: string): string {
    return queueClientId(queue, this.#settings.member);
  }

  /** Runs `work` on a short connection as the queue's session (or on the live one). */
  async #asSession<T>(
    queue: string,
    receiveMaximum: number,
    work: (session: MqttSession) => Promise<T>,
    onMessage = (): void => {},
  ): Promise<T> {
    const live = this.#liveSession(queue);
    if (live) return work(live);
    const session = new MqttSession({
      mqtt: this.#mqtt,
      settings: { ...this.#settings, reconnect: { ...this.#settings.reconnect, enabled: false } },
      clientId: this.clientId(queue),
      receiveMaximum,
      logger: this.#logger,
      onMessage: (message) => {
        onMessage();
        if (receiveMaximum > 1) session.acknowledge(message);
      },
    });
    try {
      await session.ready();
      return await work(session);
    } finally {
      await session.end();
    }
  }

  async declareQueue(name: string, options: QueueOptions = {}): Promise<void> {
    const existing = await this.#control.readMeta(metaTopic.queue(name));
    // A declaration that names no dead-letter queue (a producer's) keeps the one declared before (the service's).
    const before = [...existing.values()][0] as Partial<QueueMeta> | undefined;
    const deadLetterQueue =
      options.deadLetterQueue !== undefined ? options.deadLetterQueue : (before?.deadLetterQueue ?? null);
    const meta: QueueMeta = { kind: 'queue', deadLetterQueue };
    if (existing.size === 0) {
      await this.#asSession(name, 1, (session) => session.subscribe([sharedFilter(name, queueTopic(name))]));
    }
    await this.#control.writeMeta(metaTopic.queue(name), meta);
  }

  async declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    const meta: ExchangeMeta = { kind: 'exchange', type: options.type };
    await this.#control.writeMeta(metaTopic.exchange(name), meta);
    this.#exchangeSeen.set(name, Date.now());
  }

  async exchangeType(name: string): Promise<ExchangeType | undefined> {
    const found = await this.#control.readMeta(metaTopic.exchange(name));
    const meta = found.get(metaTopic.exchange(name)) as Partial<ExchangeMeta> | undefined;
    if (meta?.kind !== 'exchange' || !meta.type) return undefined;
    this.#exchangeSeen.set(name, Date.now());
    return meta.type;
  }

  /** True for the default exchange `''` and for an exchange stored on the broker (read there, never cached). */
  async hasExchange(name: string): Promise<boolean> {
    return name === '' || (await this.exchangeType(name)) !== undefined;
  }

  /** hasExchange, answered from a recent sighting when there is one (publishes ask it every time). */
  async exchangeExists(name: string): Promise<boolean> {
    const seen = this.#exchangeSeen.get(name);
    if (seen !== undefined && Date.now() - seen < EXCHANGE_CACHE_MS) return true;
    return (await this.exchangeType(name)) !== undefined;
  }

  async bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    const type = await this.exchangeType(exchange);
    if (!type) throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`No exchange "${exchange}" to bind "${queue}" to`);
    let filter: string;
    try {
      filter = bindingTopicFilter(exchange, type, routingKey);
    } catch (error) {
      throw ERRORS.MS_QUEUE_BAD_BINDING((error as Error).message, { cause: error });
    }
    const topic = metaTopic.binding(exchange, queue, routingKey);
    if ((await this.#control.readMeta(topic)).size === 0) {
      await this.#asSession(queue, 1, (session) => session.subscribe([sharedFilter(queue, filter)]));
    }
    const meta: BindingMeta = { kind: 'binding', queue, exchange, routingKey, filter };
    await this.#control.writeMeta(topic, meta);
  }

  /** Every subscription filter the queue's session should hold: its own topic and its bindings. */
  async queueFilters(queue: string): Promise<string[]> {
    const bindings = await this.#control.readMeta(metaTopic.bindingsOfQueue(queue));
    const filters = [sharedFilter(queue, queueTopic(queue))];
    for (const value of bindings.values()) {
      const binding = value as Partial<BindingMeta>;
      if (binding.kind === 'binding' && binding.queue === queue && binding.filter) {
        filters.push(sharedFilter(queue, binding.filter));
      }
    }
    return filters;
  }

  async deadLetterQueue(queue: string): Promise<string | false | undefined> {
    const found = await this.#control.readMeta(metaTopic.queue(queue));
    const meta = found.get(metaTopic.queue(queue)) as Partial<QueueMeta> | undefined;
    return meta?.deadLetterQueue ?? undefined;
  }

  async deleteQueue(name: string): Promise<void> {
    await this.#control.writeMeta(metaTopic.queue(name), null);
    for (const topic of (await this.#control.readMeta(metaTopic.bindingsOfQueue(name))).keys()) {
      await this.#control.writeMeta(topic, null);
    }
    await this.#liveSession(name)?.end();
    // A clean start with no expiry discards the session, its subscriptions and its queued messages.
    const wipe = this.#mqtt.connect(this.#settings.brokerUrl, {
      clientId: this.clientId(name),
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 0 },
      ...(this.#settings.username ? { username: this.#settings.username } : {}),
      ...(this.#settings.password ? { password: this.#settings.password } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      wipe.once('connect', () => resolve());
      wipe.once('error', reject);
    }).finally(() => wipe.endAsync(false).catch(() => undefined));
  }

  async deleteExchange(name: string): Promise<void> {
    await this.#control.writeMeta(metaTopic.exchange(name), null);
    this.#exchangeSeen.delete(name);
    for (const topic of (await this.#control.readMeta(metaTopic.bindingsOfExchange(name))).keys()) {
      await this.#control.writeMeta(topic, null);
    }
  }

  /** Takes every queued message out of the queue's session and acknowledges it; resolves to how many. */
  async purgeQueue(name: string): Promise<number> {
    if (this.#liveSession(name)) {
      throw ERRORS.MS_QUEUE_BUSY(`Cannot purge "${name}" while this transport consumes it`);
    }
    let count = 0;
    let lastAt = Date.now();
    await this.#asSession(
      name,
      65_535,
      async () => {
        lastAt = Math.max(lastAt, Date.now());
        while (Date.now() - lastAt < DRAIN_QUIET_MS) await new Promise((resolve) => setTimeout(resolve, 50));
      },
      () => {
        count += 1;
        lastAt = Date.now();
      },
    );
    return count;
  }
}
