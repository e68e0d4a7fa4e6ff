/** Placeholder until the memory:// transport lands. */
import { MicroservicesError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

export function createMemoryTransport(_url: URL, _options: TransportOptions): Transport {
  throw new MicroservicesError('MS_QUEUE_NOT_IMPLEMENTED', 'The memory:// transport is not implemented yet');
}
