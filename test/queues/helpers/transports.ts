/** Transports for service and client unit tests: a memory transport that records calls, and one that never connects. */
import { MicroservicesError } from '../../../src/errors.js';
import { MemoryTransport } from '../../../src/queues/transports/memory/index.js';
import type {
  ConsumeOptions,
  DeliveryHandler,
  Subscription,
  Transport,
} from '../../../src/queues/transports/transport.js';

/** A memory transport on a fresh broker that remembers the consume options and how often connect ran. */
export class RecordingTransport extends MemoryTransport {
  readonly consumed: Array<{ queue: string; options: ConsumeOptions }> = [];
  connects = 0;
  closes = 0;

  constructor(name = `recording-${Math.random().toString(36).slice(2)}`) {
    super(name);
  }

  override connect(signal?: AbortSignal): Promise<void> {
    this.connects += 1;
    return super.connect(signal);
  }

  override async close(): Promise<void> {
    this.closes += 1;
    await super.close();
  }

  /** Emits a transport event as a network transport would on a connection loss and reconnect. */
  simulate(event: 'disconnected' | 'reconnecting' | 'connected'): void {
    if (event === 'disconnected') this.emitEvent('disconnected', new Error('socket closed by peer'));
    else if (event === 'reconnecting') this.emitEvent('reconnecting', 1, 1000);
    else this.emitEvent('connected');
  }

  override consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    this.consumed.push({ queue, options });
    return super.consume(queue, handler, options);
  }
}

/** A broker that is down: connect() waits until its signal aborts (reconnecting forever), or fails at once. */
export function unreachableTransport(mode: 'hang' | 'fail'): Transport & { connectCalls: number } {
  const refuse = (): Promise<never> =>
    Promise.reject(new MicroservicesError('MS_QUEUE_CONNECT_FAILED', 'connect ECONNREFUSED 127.0.0.1:1'));
  const transport: Transport & { connectCalls: number } = {
    name: 'fake://127.0.0.1:1',
    capabilities: { exchangeTypes: ['direct'], durable: true, nativeDeadLetter: false },
    connected: false,
    connectCalls: 0,
    connect(signal?: AbortSignal): Promise<void> {
      transport.connectCalls += 1;
      if (mode === 'fail') return refuse();
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    },
    close: async () => {},
    declareQueue: refuse,
    declareExchange: refuse,
    bindQueue: refuse,
    deleteQueue: refuse,
    deleteExchange: refuse,
    purgeQueue: refuse,
    hasExchange: refuse,
    publish: refuse,
    consume: refuse,
    on() {
      return transport;
    },
    off() {
      return transport;
    },
  };
  return transport;
}
