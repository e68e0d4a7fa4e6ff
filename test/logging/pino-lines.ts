/** A real pino logger writing JSON lines into an array, for tests of what the toolkit logs. */
import { Writable } from 'node:stream';
import { pino } from 'pino';

export type Line = Record<string, unknown> & { level: number; msg?: string };

export function pinoLines(level = 'trace'): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { logger: pino({ level, base: null }, stream), lines };
}

export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
