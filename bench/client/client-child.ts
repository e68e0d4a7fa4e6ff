/**
 * Child process: drives one HTTP client (`client-child.ts <impl> <origin> <seconds> <concurrency,...>`)
 * against the fixed server for a time window per concurrency level, after a warm-up, and reports calls
 * per second with p50/p99 latency measured around each call.
 */
import { isDeepStrictEqual } from 'node:util';
import { PLAIN_BODY } from '../http/workload.js';
import { reportFailure, sendToDriver } from '../lib/child.js';
import { LatencySamples } from '../lib/stats.js';
import { type CallOnce, type ClientImplementation, createCall } from './clients.js';

export interface ClientSample {
  readonly concurrency: number;
  readonly calls: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

async function drive(call: CallOnce, concurrency: number, seconds: number, samples?: LatencySamples): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let calls = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const started = performance.now();
      await call();
      samples?.add(performance.now() - started);
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return calls;
}

async function main(): Promise<void> {
  const [implementation, origin, secondsText, levelsText] = process.argv.slice(2);
  if (!implementation || !origin || !secondsText || !levelsText) throw new Error('usage: impl origin seconds levels');
  const seconds = Number(secondsText);
  const call = await createCall(implementation as ClientImplementation, origin);
  const first = await call();
  if (!isDeepStrictEqual(first, PLAIN_BODY)) throw new Error(`unexpected body ${JSON.stringify(first)}`);
  const results: ClientSample[] = [];
  for (const concurrency of levelsText.split(',').map(Number)) {
    await drive(call, concurrency, Math.max(0.2, seconds / 4));
    const samples = new LatencySamples();
    const started = performance.now();
    const calls = await drive(call, concurrency, seconds, samples);
    const elapsed = (performance.now() - started) / 1000;
    results.push({ concurrency, calls, rps: calls / elapsed, ...samples.summary() });
  }
  sendToDriver({ type: 'result', data: results });
  process.exit(0);
}

main().catch(reportFailure);
