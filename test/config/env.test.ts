import { describe, expect, it } from 'vitest';
import { MicroservicesError } from '../../src/errors.js';
import { HttpService, readEnv } from '../../src/index.js';

describe('readEnv: the environment in one place', () => {
  it('parses every documented variable and leaves unset or empty ones undefined', () => {
    expect(
      readEnv({
        BROKER_URL: 'amqp://u:p@rabbit:5672/',
        LOG_LEVEL: 'WARN',
        LOG_FORMAT: 'pretty',
        PORT: '8080',
        HOST: '0.0.0.0',
        OPS_PORT: '9464',
        OPS_HOST: '::',
        METRICS_ENABLED: 'yes',
        SHUTDOWN_TIMEOUT_MS: '15000',
        SERVICE_NAME: 'notes',
      }),
    ).toEqual({
      brokerUrl: 'amqp://u:p@rabbit:5672/',
      logLevel: 'warn',
      logFormat: 'pretty',
      port: 8080,
      host: '0.0.0.0',
      opsPort: 9464,
      opsHost: '::',
      metricsEnabled: true,
      shutdownTimeoutMs: 15_000,
      serviceName: 'notes',
    });
    expect(Object.values(readEnv({ PORT: '', HOST: '  ' })).every((value) => value === undefined)).toBe(true);
  });

  it('refuses an unusable value naming the variable, and never echoes BROKER_URL', () => {
    for (const [name, value] of [
      ['PORT', '80a'],
      ['PORT', '70000'],
      ['LOG_LEVEL', 'loud'],
      ['LOG_FORMAT', 'xml'],
      ['METRICS_ENABLED', 'maybe'],
      ['SHUTDOWN_TIMEOUT_MS', '0'],
      ['HOST', 'a b'],
      ['SERVICE_NAME', 'x'.repeat(101)],
    ]) {
      const attempt = () => readEnv({ [name as string]: value });
      expect(attempt, `${name}=${value}`).toThrow(MicroservicesError);
      expect(attempt, `${name}=${value}`).toThrow(name as string);
    }
  });

  it('explicit options win over PORT/HOST; the variables win over the defaults', async () => {
    const before = { PORT: process.env.PORT, HOST: process.env.HOST };
    process.env.PORT = '0';
    process.env.HOST = '127.0.0.1';
    try {
      const fromEnv = new HttpService('a');
      expect(await fromEnv.start()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await fromEnv.stop();
      process.env.PORT = '1'; // a privileged port: listening there would fail, so the option must win
      const explicit = new HttpService('b', { port: 0 });
      expect(await explicit.start()).not.toMatch(/:1$/);
      await explicit.stop();
    } finally {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
