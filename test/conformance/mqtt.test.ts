/**
 * The conformance suites against the shared Mosquitto on :1883. MQTT has no queues of its own; the
 * transport's emulation (persistent sessions, republished requeues) is what is checked here.
 */
import { mosquitto } from '../helpers/services.js';
import { describeContractConformance } from './contracts-suite.js';
import { describeQueueFeatureConformance } from './queue-features-suite.js';
import { describeRpcConformance } from './rpc-suite.js';
import { describeServiceConformance } from './service-suite.js';
import { describeTransportConformance } from './transport-suite.js';

const url = (): string => 'mqtt://127.0.0.1:1883/?sessionExpiry=600';

describeTransportConformance('mqtt', { check: mosquitto, url });
describeServiceConformance('mqtt', { check: mosquitto, url });
describeQueueFeatureConformance('mqtt', { check: mosquitto, url });
describeContractConformance('mqtt', { check: mosquitto, url });
describeRpcConformance('mqtt', { check: mosquitto, url });
