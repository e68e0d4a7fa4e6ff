/** The conformance suites against the shared RabbitMQ on 127.0.0.1:5672 (amqp://). */
import { rabbitmq } from '../helpers/services.js';
import { describeTransportConformance } from './transport-suite.js';

const url = (): string => process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

describeTransportConformance('amqp', {
  check: rabbitmq,
  url,
  refusedUrl: () => url().replace('guest:guest@', 'guest:not-the-password@'),
});
