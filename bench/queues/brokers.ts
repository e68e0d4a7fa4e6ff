/**
 * The brokers in the queue rows: how each is measured, its raw client (loaded lazily, so a run only loads
 * the clients it uses) and the URL the toolkit gets for it.
 */
import type { QueueBenchImplementation, QueueMode } from './workload.js';

export const BROKERS = ['memory', 'amqp', 'redis', 'nats', 'mqtt'] as const;
export type BrokerName = (typeof BROKERS)[number];

export interface BrokerSpec {
  readonly label: string;
  readonly mode: QueueMode;
  /** The toolkit's connection URL for this broker. */
  readonly url: string;
  /** The raw client doing the same work; none for the in-process memory broker. */
  readonly raw?: () => Promise<QueueBenchImplementation>;
  /** The raw client's label in the report. */
  readonly rawLabel?: string;
  /** TCP port to probe before running (skipped with a note when nothing listens). */
  readonly port?: number;
}

export const BROKER_SPECS: Readonly<Record<BrokerName, BrokerSpec>> = {
  memory: { label: 'memory:// (in-process)', mode: 'live', url: 'memory://bench' },
  amqp: {
    label: 'AMQP (RabbitMQ)',
    mode: 'backlog',
    url: 'amqp://guest:guest@127.0.0.1:5672/',
    raw: async () => (await import('./impls/amqp-raw.js')).createRawAmqp(),
    rawLabel: 'raw amqplib (confirm channel)',
    port: 5672,
  },
  redis: {
    label: 'Redis Streams',
    mode: 'backlog',
    url: 'redis://127.0.0.1:6379',
    raw: async () => (await import('./impls/redis-raw.js')).createRawRedis(),
    rawLabel: 'raw ioredis (XADD / XREADGROUP / XACK)',
    port: 6379,
  },
  nats: {
    label: 'NATS JetStream',
    mode: 'backlog',
    url: 'nats://127.0.0.1:4222',
    raw: async () => (await import('./impls/nats-raw.js')).createRawNats(),
    rawLabel: 'raw @nats-io/jetstream (PubAck, pull consumer)',
    port: 4222,
  },
  mqtt: {
    label: 'MQTT (Mosquitto)',
    mode: 'live',
    url: 'mqtt://127.0.0.1:1883',
    raw: async () => (await import('./impls/mqtt-raw.js')).createRawMqtt(),
    rawLabel: 'raw mqtt.js (QoS 1)',
    port: 1883,
  },
};
