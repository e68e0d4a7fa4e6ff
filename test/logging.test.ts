import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
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

/** A console-like sink that records `level message [extra args]`. */
function recordingSink(): { sink: Logger & { fatal?: Logger['error'] }; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]): void => {
      calls.push([level, ...args]);
    };
  return {
    sink: {
      trace: record('trace'),
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    },
    calls,
  };
}

/** A real pino logger writing JSON lines into an array. */
function pinoLines(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'trace', base: null }, stream), lines };
}

describe('the seed InstanceLogger methods log, exception, fatal and critical (issue 10)', () => {
  it('on a pino logger: exception logs at error with the error object, fatal and critical at fatal, log at the named level', async () => {
    const { logger, lines } = pinoLines();
    const log = instanceLogger({ toString: () => '<client: x>' }, logger);
    log.exception('call failed', new Error('boom'));
    log.fatal('going down');
    log.critical('gone');
    log.log('warning', 'careful %s', 'now');
    log.log('debug', 'detail');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
      [50, '<client: x> - call failed'],
      [60, '<client: x> - going down'],
      [60, '<client: x> - gone'],
      [40, '<client: x> - careful now'],
      [20, '<client: x> - detail'],
    ]);
    const err = lines[0]?.err as { message?: string; stack?: string; type?: string } | undefined;
    expect(err?.message).toBe('boom');
    expect(err?.type).toBe('Error');
    expect(err?.stack).toMatch(/boom\n\s+at /);
  });

  it('on a console-like logger without fatal: exception passes the error along, fatal and critical log at error', () => {
    const { sink, calls } = recordingSink();
    const log = instanceLogger({ toString: () => '<q>' }, sink);
    const error = new Error('boom');
    log.exception('failed', error);
    log.fatal('f');
    log.critical('c');
    log.log('critical', 'l');
    log.log('info', 'i', 1);
    expect(calls).toEqual([
      ['error', '<q> - failed', error],
      ['error', '<q> - f'],
      ['error', '<q> - c'],
      ['error', '<q> - l'],
      ['info', '<q> - i', 1],
    ]);
  });

  it('nests: an instance logger over an instance logger keeps both prefixes and the error object', () => {
    const { sink, calls } = recordingSink();
    const error = new Error('boom');
    const inner = instanceLogger({ toString: () => '<microservice: m>' }, sink);
    instanceLogger({ toString: () => '<queue: q>' }, inner).exception('handler failed', error);
    expect(calls).toEqual([['error', '<microservice: m> - <queue: q> - handler failed', error]]);
  });

  it('getLogger() has them too: exception gives pino the error as err, critical is fatal', () => {
    const logger = getLogger('logging-test-methods');
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const fatal = vi.spyOn(logger, 'fatal').mockImplementation(() => undefined);
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const boom = new Error('boom');
    logger.exception('failed', boom);
    logger.critical('down');
    logger.log('warning', 'careful');
    expect(error).toHaveBeenCalledWith({ err: boom }, 'failed');
    expect(fatal).toHaveBeenCalledWith('down');
    expect(warn).toHaveBeenCalledWith('careful');
  });

  it('an unknown level logs at info instead of throwing', () => {
    const { sink, calls } = recordingSink();
    instanceLogger({ toString: () => 'x' }, sink).log('loud' as 'info', 'm');
    expect(calls).toEqual([['info', 'x - m']]);
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
