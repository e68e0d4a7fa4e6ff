/** The conformance suites against the in-process memory:// broker. */
import type { ServiceCheck } from '../helpers/services.js';
import { describeContractConformance } from './contracts-suite.js';
import { describeQueueFeatureConformance } from './queue-features-suite.js';
import { describeRpcConformance } from './rpc-suite.js';
import { describeServiceConformance } from './service-suite.js';
import { describeTransportConformance } from './transport-suite.js';

const alwaysThere: ServiceCheck = { name: 'memory', available: true, skip: false, reason: '' };
const url = (): string => `memory://conformance-${process.pid}`;

describeTransportConformance('memory', {
  check: () => alwaysThere,
  url,
  publishCannotTimeOut: 'memory:// confirms a publish as it enqueues it, synchronously: it cannot time out',
});
describeServiceConformance('memory', { check: () => alwaysThere, url });
describeQueueFeatureConformance('memory', { check: () => alwaysThere, url });
describeContractConformance('memory', { check: () => alwaysThere, url });
describeRpcConformance('memory', { check: () => alwaysThere, url });
