// Child process: generates HTTP load with autocannon against one server, scenario after scenario, and
// reports each measured window over IPC. Kept in plain JavaScript and in its own process, so the load
// generator never shares a process (or an event loop) with the code under test.
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';

// The driver's CPU pinning (bench/lib/cpu-pinning.ts): this worker on the load core.
if (process.env.BENCH_LOAD_CPU !== undefined) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', process.env.BENCH_LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // unpinned: the figures are then as before
  }
}

// Leave when the driver goes away, so an interrupted run never leaves a load generator behind.
process.once('disconnect', () => process.exit(0));

const spec = JSON.parse(process.argv[2] ?? '{}');

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function measure(scenario, amount) {
  const request = { method: scenario.method, path: scenario.path, headers: scenario.headers, body: scenario.body };
  const base = { url: `http://127.0.0.1:${spec.port}`, connections: spec.connections, requests: [request] };
  if (scenario.warmup && spec.warmupSeconds > 0) await run({ ...base, duration: spec.warmupSeconds });
  // Count 0 marks the start of a measured window, so the driver can read the server's CPU time there.
  if (scenario.warmup) process.send?.({ type: 'progress', count: 0 });
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await run(amount ? { ...base, amount } : { ...base, duration: spec.seconds });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    generatorCpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

// Progress messages: count 0 before each scenario's measured window, then the running request count after
// the window (or after each piece, when `chunks` splits an `amount` of requests), so the driver can read the
// server's CPU time around the window and sample its memory at known request counts.
async function main() {
  const samples = [];
  const chunks = spec.chunks ?? 1;
  for (const scenario of spec.scenarios) {
    let total = 0;
    for (let chunk = 0; chunk < chunks; chunk++) {
      const amount = spec.amount ? Math.ceil(spec.amount / chunks) : undefined;
      const sample = await measure({ ...scenario, warmup: chunk === 0 }, amount);
      total += sample.requests;
      process.send?.({ type: 'progress', count: total });
      if (chunk === chunks - 1) samples.push({ ...sample, requests: total });
    }
  }
  process.send?.({ type: 'result', data: samples });
}

main().catch((error) => process.send?.({ type: 'error', message: String(error?.stack ?? error) }));
