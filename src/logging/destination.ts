/**
 * Where the toolkit's own loggers write: one switchable stream under the root pino logger, so that
 * `setLogging(level, format)` can change the format of every logger already handed out. Formats: `json` (one
 * pino line per record), `pretty` (pino-pretty, an optional peer dependency) and a Python logging template
 * such as the seed's `'%(asctime)s - %(name)s - %(levelname)s - %(message)s'`.
 */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { templateSink } from './template.js';

/** `json`, `pretty`, or a `%(field)s` template. */
export type LogFormat = 'json' | 'pretty' | (string & {});

interface Sink {
  write(line: string): unknown;
}

let warnedNoPretty = false;

/** pino-pretty writing to stdout, or undefined when it is not installed. */
function prettySink(): Sink | undefined {
  try {
    const require = createRequire(import.meta.url);
    const build = require('pino-pretty') as (options: Record<string, unknown>) => Sink;
    return build({
      colorize: process.stdout.isTTY === true,
      sync: true,
      destination: process.stdout,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  } catch {
    if (!warnedNoPretty) {
      warnedNoPretty = true;
      process.stderr.write('microservices-ts: LOG_FORMAT=pretty needs the pino-pretty package; logging JSON\n');
    }
    return undefined;
  }
}

function jsonSink(): Sink {
  return pino.destination({ dest: 1, sync: true });
}

/**
 * The format to start with: `LOG_FORMAT` when set, else `pretty` on a terminal when pino-pretty is there
 * (quietly JSON when it is not), else `json`.
 */
function initialSink(): Sink {
  const fromEnv = process.env.LOG_FORMAT?.trim();
  if (fromEnv) return sinkFor(fromEnv);
  if (process.stdout.isTTY === true) {
    warnedNoPretty = true; // Not asked for by name: no warning when pino-pretty is missing.
    return prettySink() ?? jsonSink();
  }
  return jsonSink();
}

function sinkFor(format: LogFormat): Sink {
  if (format === 'pretty') return prettySink() ?? jsonSink();
  if (format.includes('%(')) return templateSink(format, process.stdout);
  return jsonSink();
}

/** The stream the root logger writes to; its sink is chosen on first use and replaced by `use`. */
class SwitchableDestination {
  #sink: Sink | undefined;

  write(line: string): void {
    this.#sink ??= initialSink();
    this.#sink.write(line);
  }

  use(format: LogFormat): void {
    this.#sink = sinkFor(format);
  }
}

export const destination = new SwitchableDestination();
