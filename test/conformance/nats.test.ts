/**
 * The conformance suites against the shared NATS JetStream server on :4222. A short AckWait is not needed
 * for "unacked deliveries return when the connection closes": close() gives them back with a nak.
 */
import { nats } from '../helpers/services.js';
import { describeContractConformance } from './contracts-suite.js';
import { describeQueueFeatureConformance } from './queue-features-suite.js';
import { describeRpcConformance } from './rpc-suite.js';
import { describeServiceConformance } from './service-suite.js';
import { describeTransportConformance } from './transport-suite.js';

const url = (): string => 'nats://127.0.0.1:4222/?ackWaitMs=5000';

describeTransportConformance('nats', { check: nats, url });
describeServiceConformance('nats', { check: nats, url });
describeQueueFeatureConformance('nats', { check: nats, url });
describeContractConformance('nats', { check: nats, url });
describeRpcConformance('nats', { check: nats, url });
