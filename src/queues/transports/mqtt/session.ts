/**
 * One connection to a queue's persistent MQTT session (`cleanStart: false`, a session expiry). It withholds
 * the PUBACK of every message until the consumer settles it, so an unsettled message stays in the session
 * and the broker sends it again (with DUP set) after a reconnect. MQTT.js handles incoming packets one at a
 * time and would stall on a withheld acknowledgement, so the ack callback is answered at once with a
 * sentinel error (which MQTT.js turns into "send no PUBACK") and the PUBACK is sent later by packet id.
 * The connection's `receiveMaximum` is the prefetch: the broker never has more unacknowledged messages
 * out to it than that.
 */
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { endClient, type MqttModule, quietUnlessDebugging, sendWithoutDelay } from './peer.js';
import type { MqttSettings } from './settings.js';

/** The reason code of a DISCONNECT sent when another connection took the same client id. */
const SESSION_TAKEN_OVER = 142;
/** After this many take-overs in a minute, two live consumers share one session: stop and say so. */
const TAKEOVER_LIMIT = 3;

/** Marks "do not acknowledge now"; never surfaces (the session swallows it). */
class WithheldAck extends Error {}
const WITHHELD = new WithheldAck('acknowledgement withheld until the delivery is settled');

export interface IncomingMessage {
  readonly packet: IPublishPacket;
  /** Which connection the message came on; a PUBACK only makes sense on that same connection. */
  readonly generation: number;
}

export interface MqttSessionOptions {
  readonly mqtt: MqttModule;
  readonly settings: MqttSettings;
  readonly clientId: string;
  readonly receiveMaximum: number;
  readonly logger: Logger;
  readonly onMessage: (message: IncomingMessage) => void;
  readonly onConnect?: (sessionPresent: boolean) => void;
  readonly onFatal?: (error: Error) => void;
}

export class MqttSession {
  readonly client: MqttClient;
  #generation = 0;
  #takeovers: number[] = [];
  #ended = false;
  /** True while `#holdWrites` keeps the socket corked. */
  #corked = false;
  /** Every filter subscribed through this session, subscribed again on each reconnect. */
  readonly #filters = new Set<string>();

  readonly #options: MqttSessionOptions;

  constructor(options: MqttSessionOptions) {
    this.#options = options;
    const { settings } = options;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      ...quietUnlessDebugging(),
      protocolVersion: 5,
      clean: false,
      properties: {
        sessionExpiryInterval: settings.sessionExpirySeconds,
        receiveMaximum: Math.min(65_535, Math.max(1, options.receiveMaximum)),
      },
      keepalive: settings.keepaliveSeconds,
      reconnectPeriod: settings.reconnect.enabled ? settings.reconnect.initialDelayMs : 0,
      connectTimeout: 10_000,
      resubscribe: true,
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
      customHandleAcks: (_topic, _payload, packet, done) => {
        if (packet.qos !== 1) {
          done(0);
          return;
        }
        options.onMessage({ packet, generation: this.#generation });
        done(WITHHELD);
      },
    };
    this.client = sendWithoutDelay(options.mqtt.connect(settings.brokerUrl, clientOptions));
    this.client.on('connect', (connack) => {
      this.#generation += 1;
      // Mosquitto 2.0 can come back from a restart with the session but without the shared subscriptions
      // of clients that were connected when it stopped; subscribing again is idempotent and loses nothing.
      if (this.#generation > 1 && this.#filters.size > 0) void this.#resubscribe();
      options.onConnect?.(connack.sessionPresent);
    });
    this.client.on('error', (error) => {
      if (error === WITHHELD) return;
      logWith(options.logger, 'warn', { err: error }, `MQTT session ${options.clientId}`);
    });
    this.client.on('disconnect', (packet) => {
      if (packet.reasonCode === SESSION_TAKEN_OVER) this.#takenOver();
    });
  }

  /**
   * Mosquitto 2.0.11 restores a session from its database after a restart, but the shared subscriptions
   * of a client that was connected when it stopped no longer match anything (publishes get "no matching
   * subscribers"), and subscribing again to the same filter changes nothing; unsubscribing first does.
   * To leave no moment without a subscription (a publish then would be refused), the plain topic is
   * subscribed while the shared one is replaced: a publish in that moment may arrive twice, never not at all.
   * Messages already queued in the session are not affected.
   */
  async #refresh(filters: readonly string[]): Promise<void> {
    const bridges = filters.map((filter) => filter.replace(/^\$share\/[^/]+\//, ''));
    await this.client.subscribeAsync(bridges, { qos: 1 });
    await this.client.unsubscribeAsync([...filters]);
    const granted = await this.client.subscribeAsync([...filters], { qos: 1 });
    await this.client.unsubscribeAsync(bridges);
    const refused = granted.filter((grant) => grant.qos > 1);
    if (refused.length > 0) {
      throw new Error(`broker refused subscriptions ${refused.map((grant) => grant.topic).join(', ')}`);
    }
  }

  async #resubscribe(): Promise<void> {
    try {
      await this.#refresh([...this.#filters]);
    } catch (error) {
      logWith(
        this.#options.logger,
        'warn',
        { err: error },
        `MQTT session ${this.#options.clientId}: re-subscribe failed`,
      );
    }
  }

  #takenOver(): void {
    const now = Date.now();
    this.#takeovers = [...this.#takeovers.filter((at) => now - at < 60_000), now];
    if (this.#takeovers.length < TAKEOVER_LIMIT) return;
    const error = new Error(
      `MQTT session ${this.#options.clientId} keeps being taken over by another connection: give each consumer ` +
        'process its own "?member=" in the URL',
    );
    void this.end();
    this.#options.onFatal?.(error);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves once connected (or rejects when the first connection fails and reconnect is off). */
  ready(): Promise<boolean> {
    if (this.client.connected) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const onConnect = (connack: { sessionPresent: boolean }): void => {
        this.client.off('error', onError);
        resolve(connack.sessionPresent);
      };
      const onError = (error: Error): void => {
        if (error === WITHHELD || this.#options.settings.reconnect.enabled) return;
        this.client.off('connect', onConnect);
        reject(error);
      };
      this.client.once('connect', onConnect);
      this.client.on('error', onError);
    });
  }

  /**
   * Subscribes at QoS 1 and remembers the filters for every reconnect. With `refresh`, replaces them (see
   * #refresh): for a consumer taking over a session that Mosquitto may have restored from its database.
   */
  async subscribe(filters: readonly string[], refresh = false): Promise<void> {
    if (filters.length === 0) return;
    for (const filter of filters) this.#filters.add(filter);
    if (refresh) return this.#refresh(filters);
    const granted = await this.client.subscribeAsync([...filters], { qos: 1 });
    const refused = granted.filter((grant) => grant.qos > 1);
    if (refused.length > 0) {
      throw new Error(`broker refused subscriptions ${refused.map((grant) => grant.topic).join(', ')}`);
    }
  }

  /**
   * Sends the withheld PUBACK; false when the message came on an earlier connection (the broker will
   * send it again, and acking its packet id now could acknowledge a different message).
   */
  isCurrent(message: IncomingMessage): boolean {
    return message.generation === this.#generation && this.client.connected && !this.#ended;
  }

  acknowledge(message: IncomingMessage): boolean {
    if (!this.isCurrent(message)) return false;
    const messageId = message.packet.messageId;
    if (messageId === undefined) return false;
    this.#holdWrites();
    // MQTT.js has no public call for a deferred PUBACK; _sendPacket is what its own handler uses.
    (this.client as unknown as { _sendPacket(packet: object): void })._sendPacket({
      cmd: 'puback',
      messageId,
      reasonCode: 0,
    });
    return true;
  }

  /**
   * Keeps the socket corked until the event loop's check phase, so the PUBACKs of one batch of deliveries
   * leave in one socket write. MQTT.js handles one incoming packet per tick and uncorks after each, so a
   * PUBACK sent from a handler went out in a system call of its own (most of the consumer's cost over the
   * broker's); a PUBACK still leaves only after its handler settled, at most one event-loop turn later.
   */
  #holdWrites(): void {
    if (this.#corked) return;
    const { stream } = this.client;
    if (typeof stream?.cork !== 'function') return;
    this.#corked = true;
    stream.cork();
    setImmediate(() => {
      this.#corked = false;
      stream.uncork();
    });
  }

  /** Disconnects normally: the broker keeps the session and every unacknowledged message in it. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await endClient(this.client, `session ${this.#options.clientId}`, this.#options.logger);
  }
}
