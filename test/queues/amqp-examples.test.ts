/**
 * The seed README's queue examples as separate processes on RabbitMQ: `basic-service.ts` (and the workers
 * example) consuming in one process, `basic-client.ts` publishing from another, as a user would run them
 * with `BROKER_URL=amqp://… npx tsx examples/queues/…`. They use the queue name "basic", so they run in a
 * throwaway vhost of the shared broker where no other test can take their messages.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../conformance/helpers.js';
import { rabbitmq } from '../helpers/services.js';

const check = await rabbitmq();
const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const vhost = `ms-examples-${process.pid}`;
const brokerUrl = `amqp://guest:guest@127.0.0.1:5672/${vhost}`;

interface Example {
  readonly process: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function startExample(script: string): Example {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/queues/${script}`], {
    cwd: root,
    env: { ...process.env, BROKER_URL: brokerUrl, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const example: Example = {
    process: child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    example.output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    example.output += chunk.toString();
  });
  return example;
}

describe.skipIf(check.skip)('queue examples as separate processes on amqp://', () => {
  const running: Example[] = [];
  beforeAll(async () => {
    await run('rabbitmqctl', ['-q', 'add_vhost', vhost]);
    await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  }, 60_000);
  afterEach(async () => {
    for (const example of running.splice(0)) {
      example.process.kill('SIGKILL');
      await example.exited;
    }
  });
  afterAll(async () => {
    await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
  }, 60_000);

  for (const service of ['basic-service.ts', 'workers.ts']) {
    it(`${service} prints what basic-client.ts publishes from another process, and stops on SIGTERM`, async () => {
      const consumer = startExample(service);
      running.push(consumer);
      await waitFor('the service to connect', () => consumer.output.includes('Connected to mq broker'), 30_000);
      const client = startExample('basic-client.ts');
      running.push(client);
      expect(await client.exited).toBe(0);
      await waitFor('the service to print the message', () => consumer.output.includes('Hello, world'), 20_000);
      consumer.process.kill('SIGTERM');
      expect(await consumer.exited).toBe(0);
      expect(consumer.output).toContain('Stopped draining events.');
      expect(consumer.output).not.toContain('guest:guest@');
    });
  }
});
