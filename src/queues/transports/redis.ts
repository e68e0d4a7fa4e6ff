/** Placeholder until the redis:// transport lands. */
import { MicroservicesError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

export function createRedisTransport(_url: URL, _options: TransportOptions): Transport {
  throw new MicroservicesError('MS_QUEUE_NOT_IMPLEMENTED', 'The redis:// transport is not implemented yet');
}
