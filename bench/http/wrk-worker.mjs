// Child process: generates HTTP load with wrk (the C load generator, Debian package `wrk`) against one server,
// scenario after scenario, and reports each measured window over IPC in the same shape as load-worker.mjs
// (autocannon). wrk runs with one thread (-t1) and the spec's connections; a generated Lua script sets the
// method, headers and body, and prints the summary as JSON when wrk is done. The spec's `amount` (a fixed
// number of requests) is not supported: wrk only runs for a duration.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The driver's CPU pinning (bench/lib/cpu-pinning.ts): this worker, and the wrk it spawns, on the load core.
if (process.env.BENCH_LOAD_CPU !== undefined) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', process.env.BENCH_LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // unpinned: the figures are then as before
  }
}

process.once('disconnect', () => process.exit(0));

const spec = JSON.parse(process.argv[2] ?? '{}');
const WRK = process.env.WRK_PATH ?? 'wrk';
const MARK = '@@bench-json ';
const CLOCK_TICKS_PER_SECOND = 100;

// A Lua long bracket string ([=[...]=]) whose level the text does not close. A leading newline would be
// dropped by Lua, so one is added first when the text starts with one.
function luaString(text) {
  let level = 0;
  while (text.includes(`]${'='.repeat(level)}]`)) level++;
  const equals = '='.repeat(level);
  return `[${equals}[${text.startsWith('\n') ? '\n' : ''}${text}]${equals}]`;
}

function luaScript(scenario) {
  const lines = [`wrk.method = ${luaString(scenario.method)}`];
  if (scenario.body !== undefined) lines.push(`wrk.body = ${luaString(scenario.body)}`);
  for (const [name, value] of Object.entries(scenario.headers ?? {})) {
    lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format("\\n${MARK}{\\"requests\\":%d,\\"durationUs\\":%d,\\"p50\\":%f,\\"p99\\":%f,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}\\n",`,
    '    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,',
    '    e.connect, e.read, e.write, e.status, e.timeout))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

/** CPU time (ms) of this process's waited-for children so far (cutime + cstime), from /proc. */
function childrenCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function runWrk(script, path, seconds) {
  const args = ['-t1', `-c${spec.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script];
  args.push(`http://127.0.0.1:${spec.port}${path}`);
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((entry) => entry.startsWith(MARK));
      if (code !== 0 || !line) reject(new Error(`wrk exited with ${code}: ${err.trim() || out.trim()}`));
      else resolve(JSON.parse(line.slice(MARK.length)));
    });
  });
}

// wrk takes whole seconds: windows round to at least 1 s, and a warm-up under half a second (the quick run's)
// is skipped.
function wholeSeconds(seconds) {
  return Math.max(1, Math.round(seconds));
}

async function measure(scenario, dir) {
  if (spec.amount) throw new Error('wrk runs for a duration; use autocannon for a fixed number of requests');
  const script = join(dir, 'scenario.lua');
  writeFileSync(script, luaScript(scenario));
  if (spec.warmupSeconds >= 0.5) await runWrk(script, scenario.path, wholeSeconds(spec.warmupSeconds));
  process.send?.({ type: 'progress', count: 0 });
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = await runWrk(script, scenario.path, wholeSeconds(spec.seconds));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const seconds = result.durationUs / 1e6;
  return {
    requests: result.requests,
    rps: result.requests / seconds,
    p50: result.p50,
    p99: result.p99,
    non2xx: result.status,
    errors: result.connect + result.read + result.write,
    timeouts: result.timeout,
    generatorCpuPercent: ((childrenCpuMs() - cpuBefore) / wallMs) * 100,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const samples = [];
    for (const scenario of spec.scenarios) {
      const sample = await measure(scenario, dir);
      process.send?.({ type: 'progress', count: sample.requests });
      samples.push(sample);
    }
    process.send?.({ type: 'result', data: samples });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => process.send?.({ type: 'error', message: String(error?.stack ?? error) }));
