/**
 * The conformance suite against the shared Redis (db 11, so other suites' keys stay apart). A short
 * min-idle lets "unacked deliveries return when their connection closes" be claimed quickly.
 */
import { redis } from '../helpers/services.js';
import { describeTransportConformance } from './transport-suite.js';

const url = (): string => 'redis://127.0.0.1:6379/11?prefix=conformance:&minIdleMs=5000&claimIntervalMs=200';

describeTransportConformance('redis', { check: redis, url });
