/**
 * The service and client conformance suite over RabbitMQ (amqp://), so the queue service's behaviours are
 * checked against the real broker too. The transport suite for amqp:// is wired in amqp.test.ts.
 */
import { rabbitmq } from '../helpers/services.js';
import { describeContractConformance } from './contracts-suite.js';
import { describeQueueFeatureConformance } from './queue-features-suite.js';
import { describeRpcConformance } from './rpc-suite.js';
import { describeServiceConformance } from './service-suite.js';

const url = (): string => process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

describeServiceConformance('amqp', { check: rabbitmq, url });
describeQueueFeatureConformance('amqp', { check: rabbitmq, url });
describeContractConformance('amqp', { check: rabbitmq, url });
describeRpcConformance('amqp', { check: rabbitmq, url });
