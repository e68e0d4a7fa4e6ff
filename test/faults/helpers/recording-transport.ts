/**
 * A Transport that delegates to a real one and records, per message id, when deliveries arrive and when
 * they are acked or nacked, and how many are outstanding at once: what the worker-pool tests (E3, E4)
 * assert on without trusting the service's own bookkeeping.
 */
import type {
  ConsumeOptions,
  Delivery,
  DeliveryHandler,
  ExchangeOptions,
  NackOptions,
  OutgoingMessage,
  PublishOptions,
  PublishTarget,
  QueueOptions,
  Subscription,
  Transport,
  TransportEventName,
  TransportEvents,
} from '../../../src/queues/transports/transport.js';

export interface SettlementRecord {
  readonly id: string;
  readonly kind: 'ack' | 'nack-requeue' | 'nack-dead-letter';
  readonly at: number;
}

export class RecordingTransport implements Transport {
  readonly settlements: SettlementRecord[] = [];
  outstanding = 0;
  maxOutstanding = 0;

  constructor(private readonly inner: Transport) {}

  get name(): string {
    return this.inner.name;
  }
  get capabilities(): Transport['capabilities'] {
    return this.inner.capabilities;
  }
  get connected(): boolean {
    return this.inner.connected;
  }
  connect(signal?: AbortSignal): Promise<void> {
    return this.inner.connect(signal);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  declareQueue(name: string, options?: QueueOptions): Promise<void> {
    return this.inner.declareQueue(name, options);
  }
  declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    return this.inner.declareExchange(name, options);
  }
  bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    return this.inner.bindQueue(queue, exchange, routingKey);
  }
  deleteQueue(name: string): Promise<void> {
    return this.inner.deleteQueue(name);
  }
  deleteExchange(name: string): Promise<void> {
    return this.inner.deleteExchange(name);
  }
  purgeQueue(name: string): Promise<number> {
    return this.inner.purgeQueue(name);
  }
  hasExchange(name: string): Promise<boolean> {
    return this.inner.hasExchange(name);
  }
  publish(target: PublishTarget, message: OutgoingMessage, options?: PublishOptions): Promise<void> {
    return this.inner.publish(target, message, options);
  }
  on<E extends TransportEventName>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.inner.on(event, listener);
    return this;
  }
  off<E extends TransportEventName>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.inner.off(event, listener);
    return this;
  }

  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    return this.inner.consume(queue, (delivery) => handler(this.record(delivery)), options);
  }

  private record(delivery: Delivery): Delivery {
    this.outstanding += 1;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const id = String(delivery.properties.messageId);
    const settle = (kind: SettlementRecord['kind']): void => {
      this.outstanding -= 1;
      this.settlements.push({ id, kind, at: Date.now() });
    };
    const wrapped: Delivery = {
      body: delivery.body,
      properties: delivery.properties,
      deliveryInfo: delivery.deliveryInfo,
      deliveryCount: delivery.deliveryCount,
      get settled() {
        return delivery.settled;
      },
      ack: async () => {
        if (!delivery.settled) settle('ack');
        return delivery.ack();
      },
      nack: async (options: NackOptions) => {
        if (!delivery.settled) settle(options.requeue ? 'nack-requeue' : 'nack-dead-letter');
        return delivery.nack(options);
      },
    };
    return wrapped;
  }
}
