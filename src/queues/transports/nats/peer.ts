/**
 * Loads the NATS client packages only when a `nats://` URL is used; both are optional peer dependencies.
 */
import { importOptionalPeer } from '../core/optional-peer.js';

export type NatsCore = typeof import('@nats-io/transport-node');
export type NatsJetStream = typeof import('@nats-io/jetstream');

/** The two NATS modules the transport needs. */
export interface NatsModules {
  readonly core: NatsCore;
  readonly jetstream: NatsJetStream;
}

/**
 * Imports `@nats-io/transport-node` and `@nats-io/jetstream`, failing with a message that names the
 * missing package. The loaders are parameters so that a test can simulate a missing package.
 * @example const { core, jetstream } = await loadNatsModules();
 */
export async function loadNatsModules(
  loadCore: () => Promise<NatsCore> = () => import('@nats-io/transport-node'),
  loadJetStream: () => Promise<NatsJetStream> = () => import('@nats-io/jetstream'),
): Promise<NatsModules> {
  const core = await importOptionalPeer('@nats-io/transport-node', 'nats', loadCore);
  const jetstream = await importOptionalPeer('@nats-io/jetstream', 'nats', loadJetStream);
  return { core, jetstream };
}
