/** Placeholder until the mqtt:// transport lands. */
import { MicroservicesError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

export function createMqttTransport(_url: URL, _options: TransportOptions): Transport {
  throw new MicroservicesError('MS_QUEUE_NOT_IMPLEMENTED', 'The mqtt:// transport is not implemented yet');
}
