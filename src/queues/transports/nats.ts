/** Placeholder until the nats:// transport lands. */
import { MicroservicesError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

export function createNatsTransport(_url: URL, _options: TransportOptions): Transport {
  throw new MicroservicesError('MS_QUEUE_NOT_IMPLEMENTED', 'The nats:// transport is not implemented yet');
}
