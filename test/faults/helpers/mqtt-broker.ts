/**
 * A dedicated Mosquitto for the fault tests (RELIABILITY §4.2), on a spare port with persistence in its
 * own directory, configured per test (autosave interval, queue limit). `stop()` (SIGTERM) saves, `kill()`
 * (SIGKILL) loses what was not saved, `save()` (SIGUSR1) saves now.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerProcess, sparePort } from './broker-process.js';

export const MOSQUITTO_PATH = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

export interface MosquittoConfig {
  /** Seconds between saves of the in-memory database; Mosquitto's default is 1800. */
  readonly autosaveInterval?: number;
  /** Per-session queue limit beyond in-flight messages; Mosquitto's default is 1000, 0 is unlimited. */
  readonly maxQueuedMessages?: number;
  /** false: every login is refused (no password file), CONNACK "not authorized". Default true. */
  readonly allowAnonymous?: boolean;
}

export class DedicatedMosquitto extends BrokerProcess {
  protected readonly label = 'mosquitto';
  protected readonly binary = MOSQUITTO_PATH;
  protected readonly probe = {};

  private constructor(port: number) {
    super(port, 'ms-mqtt-fault-');
  }

  static async start(config: MosquittoConfig = {}): Promise<DedicatedMosquitto> {
    const broker = new DedicatedMosquitto(await sparePort());
    const lines = [
      `listener ${broker.port} 127.0.0.1`,
      `allow_anonymous ${config.allowAnonymous ?? true}`,
      'persistence true',
      `persistence_location ${broker.dir}/`,
      `autosave_interval ${config.autosaveInterval ?? 1800}`,
      `max_queued_messages ${config.maxQueuedMessages ?? 1000}`,
      // Started as root, Mosquitto would switch to its own user and could not write the temp directory.
      'user root',
      'log_dest none',
    ];
    writeFileSync(join(broker.dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
    await broker.start();
    return broker;
  }

  url(query = ''): string {
    return `mqtt://127.0.0.1:${this.port}/${query ? `?${query}` : ''}`;
  }

  /** SIGUSR1 asks Mosquitto to save its database now. */
  async save(): Promise<void> {
    this.notify('SIGUSR1');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  protected arguments(): string[] {
    return ['-c', join(this.dir, 'mosquitto.conf')];
  }
}
