/**
 * The brokers in the queue rows: how each is measured, its raw client (loaded lazily, so a run only loads
 * the clients it uses) and the URL the toolkit gets for it.
 */
import { BENCH_MOSQUITTO_SETTINGS, type BenchMosquitto, startBenchMosquitto } from '../lib/mosquitto.js';
import { MESSAGE_BYTES, type QueueBenchImplementation, type QueueMode, SMALL_MESSAGE_BYTES } from './workload.js';

export const BROKERS = ['memory', 'memory-small', 'amqp', 'redis', 'nats', 'mqtt'] as const;
export type BrokerName = (typeof BROKERS)[number];

/** The libraries users pick instead of the toolkit, each doing the same workload through its public API. */
export const PEERS = ['bullmq', 'rascal', 'moleculer'] as const;
export type PeerName = (typeof PEERS)[number];
/**
 * Who does the workload in one run: the broker's raw client, the raw client carrying what the toolkit's
 * messages carry (`raw-carrying`, where that has a cost of its own), the toolkit, or a peer library.
 */
export type QueueImplementation = 'raw' | 'raw-carrying' | 'toolkit' | PeerName;

export interface PeerSpec {
  readonly name: PeerName;
  /** The row's label in the report. */
  readonly label: string;
  readonly create: (url: string) => Promise<QueueBenchImplementation>;
}

export interface BrokerSpec {
  readonly label: string;
  readonly mode: QueueMode;
  /** Encoded size of each message. */
  readonly messageBytes: number;
  /** The toolkit's connection URL for this broker. */
  readonly url: string;
  /** The raw client doing the same work on the broker at `url`; none for the in-process memory broker. */
  readonly raw?: (url: string) => Promise<QueueBenchImplementation>;
  /** The raw client's label in the report. */
  readonly rawLabel?: string;
  /**
   * The raw client carrying what every toolkit message carries beyond the payload (MQTT: its properties),
   * to measure in the same run what that costs the client library by itself.
   */
  readonly rawCarrying?: {
    readonly label: string;
    /** What those properties are for, for the note under the report's queue table. */
    readonly why: string;
    readonly create: (url: string) => Promise<QueueBenchImplementation>;
  };
  /** TCP port to probe before running (skipped with a note when nothing listens). */
  readonly port?: number;
  /**
   * Starts a broker of the bench's own for one run (raw and toolkit alike), whose URL replaces `url`; the
   * suite stops it after the run.
   */
  readonly dedicated?: () => Promise<BenchMosquitto>;
  /** Peer libraries measured on this broker in the same rounds. */
  readonly peers?: readonly PeerSpec[];
  /** The broker's command name in /proc, to read its CPU time (lib/broker-process.ts). */
  readonly processName?: string;
}

export const BROKER_SPECS: Readonly<Record<BrokerName, BrokerSpec>> = {
  memory: { label: 'memory:// (in-process)', mode: 'live', url: 'memory://bench', messageBytes: MESSAGE_BYTES },
  // The same broker with tiny messages, to show the transport's own cost apart from 1 KiB of JSON work.
  'memory-small': {
    label: `memory:// (in-process), ${SMALL_MESSAGE_BYTES} B messages`,
    mode: 'live',
    url: 'memory://bench',
    messageBytes: SMALL_MESSAGE_BYTES,
  },
  amqp: {
    label: 'AMQP (RabbitMQ)',
    mode: 'backlog',
    messageBytes: MESSAGE_BYTES,
    url: 'amqp://guest:guest@127.0.0.1:5672/',
    raw: async () => (await import('./impls/amqp-raw.js')).createRawAmqp(),
    rawLabel: 'raw amqplib (confirm channel)',
    rawCarrying: {
      label: "raw amqplib carrying the toolkit's properties (message id)",
      why: 'the message id a resent copy keeps, so that consumers can deduplicate it',
      create: async () => (await import('./impls/amqp-raw.js')).createRawAmqp({ properties: true }),
    },
    port: 5672,
    processName: 'beam.smp',
    peers: [
      {
        name: 'rascal',
        label: 'Rascal 21 (confirmed publication, subscription prefetch 100)',
        create: async (url) => (await import('./impls/rascal-peer.js')).createRascalPeer(url),
      },
      {
        name: 'moleculer',
        label: 'Moleculer 0.14 balanced events, AMQP transporter (publish unconfirmed)',
        create: async (url) => (await import('./impls/moleculer-peer.js')).createMoleculerPeer(url),
      },
    ],
  },
  redis: {
    label: 'Redis Streams',
    mode: 'backlog',
    messageBytes: MESSAGE_BYTES,
    url: 'redis://127.0.0.1:6379',
    raw: async () => (await import('./impls/redis-raw.js')).createRawRedis(),
    rawLabel: 'raw ioredis (XADD / XREADGROUP / XACK)',
    port: 6379,
    processName: 'redis-server',
    peers: [
      {
        name: 'bullmq',
        label: 'BullMQ 6 (Queue.add / Worker concurrency 100)',
        create: async (url) => (await import('./impls/bullmq-peer.js')).createBullmqPeer(url),
      },
    ],
  },
  nats: {
    label: 'NATS JetStream',
    mode: 'backlog',
    messageBytes: MESSAGE_BYTES,
    url: 'nats://127.0.0.1:4222',
    raw: async () => (await import('./impls/nats-raw.js')).createRawNats(),
    rawLabel: 'raw @nats-io/jetstream (PubAck, pull consumer)',
    port: 4222,
    processName: 'nats-server',
  },
  // A fresh Mosquitto per run, configured as docs/transports/mqtt.md recommends: the shared one on 1883 keeps
  // the default max_queued_messages 1000 and drops acknowledged messages past it under load.
  mqtt: {
    label: `MQTT (dedicated Mosquitto: ${BENCH_MOSQUITTO_SETTINGS})`,
    mode: 'live',
    messageBytes: MESSAGE_BYTES,
    url: 'mqtt://127.0.0.1:1883',
    raw: async (url) => (await import('./impls/mqtt-raw.js')).createRawMqtt(url),
    rawLabel: 'raw mqtt.js (QoS 1)',
    rawCarrying: {
      label: "raw mqtt.js carrying the toolkit's MQTT 5 properties (content type, one user property)",
      why: 'the message id consumers deduplicate on, the content type that decodes the body, and the per-publisher sequence number with which consumers detect messages the broker acknowledged and then dropped (docs/transports/mqtt.md)',
      create: async (url) => (await import('./impls/mqtt-raw.js')).createRawMqtt(url, { properties: true }),
    },
    dedicated: startBenchMosquitto,
  },
};
