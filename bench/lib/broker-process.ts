/**
 * The CPU time of a broker running on this machine (RabbitMQ's `beam.smp`, `redis-server`, `nats-server`),
 * read from /proc by its command name, so a row can say how much of the broker's CPU each message cost and a
 * scaling run can say whether the broker, not the client, was the limit. Linux only; undefined elsewhere or
 * when no such process is visible.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: Linux reports process CPU times in 1/100 s on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

const pids = new Map<string, number | undefined>();

function commandOf(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The pid of the first process whose command name is `command` (cached), or undefined.
 * @example brokerPid('redis-server')
 */
export function brokerPid(command: string): number | undefined {
  if (pids.has(command)) return pids.get(command);
  let found: number | undefined;
  try {
    for (const entry of readdirSync('/proc')) {
      if (/^\d+$/.test(entry) && commandOf(entry) === command) {
        found = Number(entry);
        break;
      }
    }
  } catch {
    found = undefined;
  }
  pids.set(command, found);
  return found;
}

/**
 * CPU time (user + system, all threads) the process `pid` has used so far, in ms; NaN when unreadable.
 * @example processCpuMs(process.pid)
 */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * The broker's CPU time so far in ms, NaN when it is not a visible local process.
 * @example const before = brokerCpuMs('beam.smp');
 */
export function brokerCpuMs(command: string | undefined): number {
  if (command === undefined) return Number.NaN;
  const pid = brokerPid(command);
  return pid === undefined ? Number.NaN : processCpuMs(pid);
}

/**
 * The whole machine's CPU ticks from /proc/stat: busy (everything but idle and iowait) and total.
 * @example const { busy, total } = machineCpuTicks();
 */
export function machineCpuTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}
