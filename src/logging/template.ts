/**
 * The seed's `set_logging(level, log_format)` took a Python logging format string; this renders pino's JSON
 * lines with one: `%(asctime)s`, `%(name)s`, `%(levelname)s`, `%(levelno)s`, `%(message)s`, `%(process)d`,
 * and any other field of the record by name (`%(service)s`, `%(queue)s`). A record's `err` stack follows
 * the line, as Python prints a traceback after `logger.exception`.
 */

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};

const PYTHON_LEVELS: Readonly<Record<number, number>> = { 10: 5, 20: 10, 30: 20, 40: 30, 50: 40, 60: 50 };

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Python's default `asctime`: `2026-12-01 18:22:34,123`, local time. */
function asctime(epochMs: number): string {
  const date = new Date(epochMs);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())},${pad(date.getMilliseconds(), 3)}`
  );
}

function field(record: Record<string, unknown>, name: string): string {
  const level = typeof record.level === 'number' ? record.level : 30;
  switch (name) {
    case 'asctime':
      return asctime(typeof record.time === 'number' ? record.time : Date.now());
    case 'levelname':
      return LEVEL_NAMES[level] ?? String(level);
    case 'levelno':
      return String(PYTHON_LEVELS[level] ?? level);
    case 'message':
      return typeof record.msg === 'string' ? record.msg : '';
    case 'process':
      return String(process.pid);
    case 'name':
      return typeof record.name === 'string' ? record.name : 'root';
    default: {
      const value = record[name];
      if (value === undefined) return '';
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}

/**
 * Formats one pino JSON line with `template` (a line that is not JSON passes through as it is).
 * @example formatRecord('%(levelname)s %(message)s', '{"level":30,"msg":"hi"}'); // 'INFO hi'
 */
export function formatRecord(template: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const text = template.replace(/%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfr]/g, (_match, name: string) =>
    field(record, name),
  );
  const stack = (record.err as { stack?: unknown } | undefined)?.stack;
  return typeof stack === 'string' ? `${text}\n${stack}` : text;
}

/**
 * A pino destination that writes each record formatted with `template` to `out`.
 * @example pino({}, templateSink('%(levelname)s %(message)s', process.stdout));
 */
export function templateSink(template: string, out: { write(text: string): unknown }): { write(line: string): void } {
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line.trim() !== '') out.write(`${formatRecord(template, line)}\n`);
    },
  };
}
