/**
 * Which real services (brokers, Chromium) this machine has. Tests that need one use `describe.skipIf`
 * with the returned `skip` flag; the reason is printed so a skip is never silent. Under
 * `REQUIRE_BROKERS=1` (set by `.ci/run`) a missing service is an error instead of a skip.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

export interface ServiceCheck {
  readonly name: string;
  readonly available: boolean;
  /** True when the tests needing this service should be skipped (never true under REQUIRE_BROKERS=1). */
  readonly skip: boolean;
  readonly reason: string;
}

const required = process.env.REQUIRE_BROKERS === '1';

function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function verdict(name: string, available: boolean, missing: string): ServiceCheck {
  if (available) return { name, available, skip: false, reason: '' };
  if (required) throw new Error(`REQUIRE_BROKERS=1 but ${name} is not available: ${missing}`);
  const reason = `skipped: ${name} is not available (${missing})`;
  console.warn(`\n  ⚠ ${reason}\n`);
  return { name, available, skip: true, reason };
}

async function tcpService(name: string, port: number, hint: string): Promise<ServiceCheck> {
  return verdict(name, await portOpen('127.0.0.1', port), `nothing listens on 127.0.0.1:${port}; ${hint}`);
}

export const rabbitmq = (): Promise<ServiceCheck> =>
  tcpService('RabbitMQ', 5672, 'start it with `rabbitmq-server -detached`');
export const redis = (): Promise<ServiceCheck> =>
  tcpService('Redis', 6379, 'start it with `redis-server --daemonize yes --port 6379`');
export const nats = (): Promise<ServiceCheck> =>
  tcpService('NATS JetStream', 4222, 'start it with `nats-server -js -p 4222`');
export const mosquitto = (): Promise<ServiceCheck> => tcpService('Mosquitto', 1883, 'start it with `mosquitto -d`');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromium(): ServiceCheck {
  return verdict('Chromium', existsSync(CHROMIUM_PATH), `${CHROMIUM_PATH} is missing; apt-get install -y chromium`);
}

/** A binary that fault tests start on a spare port (redis-server, nats-server, mosquitto). */
export function binary(name: string, path: string): ServiceCheck {
  return verdict(name, existsSync(path), `${path} is missing`);
}
