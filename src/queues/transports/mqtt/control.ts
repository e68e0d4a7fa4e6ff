/**
 * The transport's own MQTT connection (a clean session with a random client id): it publishes, and it
 * reads and writes the retained declaration messages under `ms/meta/...`. A publish settles on the
 * broker's PUBACK; Mosquitto answers "no matching subscribers" (reason 16) when no queue session would
 * get the message, which is how an unroutable publish is refused.
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions, IClientPublishOptions, IPublishPacket, MqttClient, Packet } from 'mqtt';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { endClient, type MqttModule, quietUnlessDebugging, sendWithoutDelay } from './peer.js';
import type { MqttSettings } from './settings.js';

const NO_MATCHING_SUBSCRIBERS = 16;
/** After a SUBACK, how long to wait for retained messages; Mosquitto sends them right behind it. */
const RETAINED_GRACE_MS = 150;

/** Thrown when the broker acknowledged a publish that reached no subscriber. */
export class NoSubscribersError extends Error {}

/** How long a publish may wait for its PUBACK, and the error it is rejected with after that. */
export interface PublishDeadline {
  readonly ms: number;
  readonly error: () => unknown;
}

interface PendingPublish {
  readonly at: number;
  readonly reject: (error: unknown) => void;
  readonly error: () => unknown;
}

export class MqttControl {
  readonly client: MqttClient;
  /** Ids of publishes whose PUBACK said "no matching subscribers", until their callback reads them. */
  readonly #noSubscribers = new Set<number>();
  readonly #pending = new Set<PendingPublish>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #reads: Promise<unknown> = Promise.resolve();
  readonly #logger: Logger;

  constructor(mqtt: MqttModule, settings: MqttSettings, logger: Logger) {
    this.#logger = logger;
    const options: IClientOptions = {
      clientId: `ms-${randomBytes(8).toString('hex')}`,
      ...quietUnlessDebugging(),
      protocolVersion: 5,
      clean: true,
      keepalive: settings.keepaliveSeconds,
      reconnectPeriod: settings.reconnect.enabled ? settings.reconnect.initialDelayMs : 0,
      connectTimeout: 10_000,
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
    };
    this.client = sendWithoutDelay(mqtt.connect(settings.brokerUrl, options));
    this.client.on('packetreceive', (packet: Packet) => {
      // MQTT.js reports this reason as a success; its callback, called right after, takes the id out again.
      if (packet.cmd === 'puback' && packet.reasonCode === NO_MATCHING_SUBSCRIBERS && packet.messageId !== undefined) {
        this.#noSubscribers.add(packet.messageId);
      }
    });
    this.client.on('error', (error) => logWith(logger, 'debug', { err: error }, 'MQTT control connection'));
  }

  /**
   * Publishes at QoS 1 and resolves on the PUBACK; rejects with NoSubscribersError when
   * `requireSubscriber` is set and the broker found nobody to deliver to. With `deadline`, rejects with
   * `deadline.error()` when no PUBACK came within `deadline.ms` (the message may still be delivered).
   */
  publish(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    requireSubscriber: boolean,
    deadline?: PublishDeadline,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const pending: PendingPublish | undefined = deadline
        ? { at: performance.now() + deadline.ms, reject, error: deadline.error }
        : undefined;
      if (pending) this.#watch(pending);
      options.qos = 1;
      this.client.publish(topic, payload, options, (error, packet) => {
        const messageId = (packet as IPublishPacket | undefined)?.messageId;
        const noSubscribers =
          messageId !== undefined && this.#noSubscribers.size > 0 && this.#noSubscribers.delete(messageId);
        if (pending) {
          if (!this.#pending.delete(pending)) return;
        }
        if (error) {
          reject(error);
          return;
        }
        if (requireSubscriber && noSubscribers) {
          reject(new NoSubscribersError(`no subscriber for topic "${topic}"`));
          return;
        }
        resolve();
      });
    });
  }

  /**
   * One timer for every publish deadline instead of a `setTimeout` per publish: armed for the earliest
   * deadline it knows of; when it fires, every publish past its deadline is rejected and it is armed again.
   */
  #watch(pending: PendingPublish): void {
    this.#pending.add(pending);
    if (pending.at < this.#timerAt) this.#arm(pending.at);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, Math.ceil(at - performance.now())));
    this.#timer.unref?.();
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const pending of this.#pending) {
      if (pending.at <= now) {
        this.#pending.delete(pending);
        pending.reject(pending.error());
      } else if (pending.at < earliest) {
        earliest = pending.at;
      }
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.#arm(earliest);
  }

  /** Stores (or, with null, clears) a retained declaration. */
  async writeMeta(topic: string, value: unknown): Promise<void> {
    await this.publish(topic, value === null ? '' : JSON.stringify(value), { retain: true }, false);
  }

  /**
   * Reads the retained declarations matching `filter` (which may hold wildcards): topic → parsed value.
   * Reads run one at a time, so two never share (and unsubscribe) the same filter.
   */
  readMeta(filter: string): Promise<Map<string, unknown>> {
    const read = this.#reads.then(() => this.#read(filter));
    this.#reads = read.catch(() => undefined);
    return read;
  }

  async #read(filter: string): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
      if (!packet.retain || payload.length === 0 || !topicMatches(filter, topic)) return;
      try {
        found.set(topic, JSON.parse(payload.toString('utf8')));
      } catch {
        // Not ours: ignore.
      }
    };
    this.client.on('message', onMessage);
    try {
      await this.client.subscribeAsync(filter, { qos: 1, rh: 0 });
      await new Promise((resolve) => setTimeout(resolve, RETAINED_GRACE_MS));
      await this.client.unsubscribeAsync(filter);
    } finally {
      this.client.off('message', onMessage);
    }
    return found;
  }

  async end(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await endClient(this.client, 'the control connection', this.#logger);
  }
}

/**
 * True when an MQTT topic matches a filter (`+` one level, `#` the rest, including none).
 * @example topicMatches('ms/x/e/+', 'ms/x/e/a'); // true
 */
export function topicMatches(filter: string, topic: string): boolean {
  const want = filter.split('/');
  const got = topic.split('/');
  for (let index = 0; index < want.length; index += 1) {
    if (want[index] === '#') return true;
    if (index >= got.length || (want[index] !== '+' && want[index] !== got[index])) return false;
  }
  return want.length === got.length;
}
