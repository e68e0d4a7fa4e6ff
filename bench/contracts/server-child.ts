/**
 * Child process: one server of the contracts rows (`ours` or `raw`), for profiling (bench/contracts/profile.ts).
 * Tells the driver its port, profiles its CPU between the driver's `start` and `stop` messages (the V8 profiler
 * through node:inspector, so start-up and warm-up stay out of it) and serves until SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { reportFailure, sendToDriver } from '../lib/child.js';
import { startOurs, startRaw } from './suite.js';

async function main(): Promise<void> {
  const [which, profilePath, intervalText = '1000'] = process.argv.slice(2);
  const server = which === 'raw' ? await startRaw() : which === 'ours' ? await startOurs() : undefined;
  if (!server) throw new Error(`unknown server "${which}" (ours or raw)`);
  const session = new Session();
  session.connect();
  process.on('message', (message: { type?: string }) => {
    void (async () => {
      if (message.type === 'start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: Number(intervalText) });
        await session.post('Profiler.start');
        sendToDriver({ type: 'progress', count: 0 });
      } else if (message.type === 'stop') {
        const { profile } = await session.post('Profiler.stop');
        if (profilePath) writeFileSync(profilePath, JSON.stringify(profile));
        sendToDriver({ type: 'result', data: profilePath });
      }
    })().catch(reportFailure);
  });
  process.once('SIGTERM', () => {
    void server.close().finally(() => process.exit(0));
  });
  sendToDriver({ type: 'ready', port: Number(new URL(server.url).port) });
}

main().catch(reportFailure);
