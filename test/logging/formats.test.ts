/**
 * Issue 13 item 5: `setLogging(level, format)` honours its format: a Python logging template (the seed's
 * `set_logging` took one), `json`, or `pretty` (pino-pretty).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatRecord } from '../../src/logging/template.js';
import { getLogger, setLogging } from '../../src/logging.js';

function captureStdout(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
}

afterEach(() => {
  delete process.env.LOG_LEVEL;
  setLogging('silent', 'json');
});

describe('setLogging(level, format) (issue 13 item 5)', () => {
  it('formats lines with a Python logging template, structured fields by name', () => {
    process.env.LOG_LEVEL = '';
    const out = captureStdout();
    try {
      setLogging('info', '%(name)s - %(levelname)s - %(service)s - %(message)s');
      const logger = getLogger('formats-test');
      logger.debug('hidden');
      (logger as unknown as { warn(fields: object, message: string): void }).warn({ service: 'notes' }, 'careful');
    } finally {
      out.restore();
    }
    expect(out.text()).toBe('formats-test - WARNING - notes - careful\n');
  });

  it('a template renders the time as Python does and follows the line with the error stack', () => {
    const time = new Date(2026, 11, 1, 18, 2, 3, 45).getTime();
    const line = JSON.stringify({ level: 50, time, name: 'x', msg: 'failed', err: { stack: 'Error: boom\n    at f' } });
    expect(formatRecord('%(asctime)s %(levelname)-8s %(levelno)d %(message)s', line)).toBe(
      '2026-12-01 18:02:03,045 ERROR 40 failed\nError: boom\n    at f',
    );
  });

  it("'pretty' writes readable lines through pino-pretty; 'json' goes back to JSON", () => {
    process.env.LOG_LEVEL = '';
    const pretty = captureStdout();
    try {
      setLogging('info', 'pretty');
      getLogger('formats-pretty').info('hello there');
    } finally {
      pretty.restore();
    }
    expect(pretty.text()).toMatch(/INFO.*\(formats-pretty\).*hello there/);
    expect(() => JSON.parse(pretty.text())).toThrow();
    const json = captureStdout();
    try {
      setLogging('info', 'json');
      getLogger('formats-json').info('plain');
    } finally {
      json.restore();
    }
    // JSON goes straight to file descriptor 1 (pino's sonic-boom), not through process.stdout.write.
    expect(json.text()).not.toContain('plain');
  });
});

describe('LOG_FORMAT (issue 13 item 5)', () => {
  const script =
    "import { getLogger } from './src/logging.ts'; getLogger('env-format').info({ service: 'notes' }, 'hello');";
  const runWith = (env: Record<string, string>): string =>
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      encoding: 'utf8',
    });

  it('LOG_FORMAT=pretty gives readable lines; on a pipe without LOG_FORMAT the lines are JSON', () => {
    const pretty = runWith({ LOG_FORMAT: 'pretty' });
    expect(pretty).toMatch(/INFO.*\(env-format\).*hello/);
    expect(pretty).toContain('service: "notes"');
    const piped = runWith({ LOG_FORMAT: '' });
    expect(JSON.parse(piped)).toMatchObject({ level: 30, name: 'env-format', service: 'notes', msg: 'hello' });
  });
});
