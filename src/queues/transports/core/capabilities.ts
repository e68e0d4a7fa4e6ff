/** What most network transports can do; a broker that differs spells out its own `TransportCapabilities`. */
import type { TransportCapabilities } from '../transport.js';

/**
 * Every exchange type, durable, and dead-lettering by a confirmed copy the transport publishes (so the copy
 * can carry the error headers), without exchange options.
 * @example readonly capabilities = DURABLE_EMULATED_DEAD_LETTER;
 */
export const DURABLE_EMULATED_DEAD_LETTER: TransportCapabilities = Object.freeze({
  exchangeTypes: Object.freeze(['direct', 'fanout', 'topic'] as const),
  durable: true,
  nativeDeadLetter: false,
});
