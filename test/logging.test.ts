import { describe, expect, it } from 'vitest';
import { getLogger, instanceLogger, type Logger } from '../src/logging.js';
import { maskPassword } from '../src/secrets.js';

describe('getLogger (seed get_logger)', () => {
  it('joins prefix and name with a dot by default', () => {
    expect(getLogger('test', 'jopa').name).toBe('jopa.test');
  });
  it('uses the given delimiter', () => {
    expect(getLogger('test', 'jopa', '_').name).toBe('jopa_test');
  });
  it('uses the bare name without a prefix', () => {
    expect(getLogger('microservices.http.client').name).toBe('microservices.http.client');
  });
});

describe('instanceLogger (seed InstanceLogger)', () => {
  it('prefixes every message with the instance evaluated at call time', () => {
    const lines: string[] = [];
    const sink: Logger = {
      trace: (m) => lines.push(`trace ${m}`),
      debug: (m) => lines.push(`debug ${m}`),
      info: (m) => lines.push(`info ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
    };
    let label = '<client: a>';
    const logger = instanceLogger({ toString: () => label }, sink);
    logger.info('one');
    label = '<client: b>';
    logger.error('two');
    expect(lines).toEqual(['info <client: a> - one', 'error <client: b> - two']);
  });
});

describe('maskPassword', () => {
  it.each([
    ['amqp://guest:guest@localhost:5672/', 'amqp://guest:**@localhost:5672/'],
    ['redis://:secret@127.0.0.1:6379/0', 'redis://:**@127.0.0.1:6379/0'],
    ['http://user:p%40ss@h/x?y=1', 'http://user:**@h/x?y=1'],
    ['amqp://localhost', 'amqp://localhost'],
    ['memory://', 'memory://'],
    ['http://user@host/', 'http://user@host/'],
  ])('%s is shown as %s', (input, masked) => {
    expect(maskPassword(input)).toBe(masked);
  });
});
