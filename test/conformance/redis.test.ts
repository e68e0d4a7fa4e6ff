/**
 * The transport and service conformance suites against the shared Redis (db 11 and a key prefix, so other
 * suites' keys stay apart). A short claim interval keeps released and abandoned entries coming back quickly.
 */
import { redis } from '../helpers/services.js';
import { describeContractConformance } from './contracts-suite.js';
import { describeQueueFeatureConformance } from './queue-features-suite.js';
import { describeRpcConformance } from './rpc-suite.js';
import { describeServiceConformance } from './service-suite.js';
import { describeTransportConformance } from './transport-suite.js';

const url = (): string => 'redis://127.0.0.1:6379/11?prefix=conformance:&minIdleMs=5000&claimIntervalMs=200';

// The shared Redis has no user of that name: its ACL refuses the login (WRONGPASS).
describeTransportConformance('redis', {
  check: redis,
  url,
  refusedUrl: () => url().replace('redis://', 'redis://nobody:wrong@'),
});
describeServiceConformance('redis', { check: redis, url });
describeQueueFeatureConformance('redis', { check: redis, url });
describeContractConformance('redis', { check: redis, url });
describeRpcConformance('redis', { check: redis, url });
