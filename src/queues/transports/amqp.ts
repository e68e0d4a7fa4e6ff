/** Placeholder until the amqp:// transport lands. */
import { MicroservicesError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

export function createAmqpTransport(_url: URL, _options: TransportOptions): Transport {
  throw new MicroservicesError('MS_QUEUE_NOT_IMPLEMENTED', 'The amqp:// transport is not implemented yet');
}
