/**
 * The HTTP server rows: for each round, every implementation in a rotated order (the toolkit always right
 * beside raw Fastify) is started in its own process, its responses are checked against the expected ones,
 * and each scenario is loaded from a separate load generator process, wrk or autocannon (`--http-load`;
 * warm-up, then the measured window).
 */
import { isDeepStrictEqual } from 'node:util';
import { BenchChild, runChild, UnavailableError } from '../lib/child.js';
import { LOAD_WORKERS, type LoadGenerator } from '../lib/load-generator.js';
import type { Profile } from '../lib/options.js';
import { rotateBeside } from '../lib/rounds.js';
import { SCENARIOS, type Scenario, type ScenarioName } from './workload.js';

export const HTTP_IMPLEMENTATIONS = ['node:http', 'fastify', 'express', 'hono', 'toolkit'] as const;
export type HttpImplementation = (typeof HTTP_IMPLEMENTATIONS)[number];

export interface LoadSample {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Server CPU time (user + system) per request in µs over the measured window; robust to a busy machine. */
  readonly cpuUsPerRequest: number;
  /** Server CPU time over the measured window as a share of one core, %: near 100 the server is saturated. */
  readonly serverCpuPercent: number;
  /** The load generator's own CPU over the window, % of one core. */
  readonly generatorCpuPercent: number;
}

export interface HttpImplementationResult {
  readonly implementation: HttpImplementation;
  /** Set when the implementation could not be measured; the row shows it instead of figures. */
  unavailable?: string;
  /** Problems worth showing beside the figures (a response that differs, errors under load). */
  readonly notes: string[];
  readonly samples: Record<ScenarioName, LoadSample[]>;
}

/**
 * Loads the scenarios one after another from a separate load generator process (autocannon unless `generator`
 * says wrk); one sample per scenario.
 */
export async function loadScenarios(
  port: number,
  scenarios: readonly Scenario[],
  load: {
    connections: number;
    warmupSeconds: number;
    seconds?: number;
    amount?: number;
    chunks?: number;
    generator?: LoadGenerator;
  },
  server: { cpuMs(): number },
  onProgress?: (requests: number) => void,
): Promise<LoadSample[]> {
  const requests = scenarios.map(({ method, path, headers, body }) => ({ method, path, headers, body }));
  const spec = { port, ...load, scenarios: requests };
  const perScenarioMs = (load.warmupSeconds + (load.seconds ?? 0)) * 1000 + (load.amount ?? 0) / 2;
  const timeoutMs = 60_000 + perScenarioMs * scenarios.length * 2;
  const cpuUsed: number[] = [];
  let windowStart = Number.NaN;
  const progress = (requests: number): void => {
    if (requests === 0) windowStart = server.cpuMs();
    else {
      cpuUsed.push(server.cpuMs() - windowStart);
      onProgress?.(requests);
    }
  };
  const worker = LOAD_WORKERS[load.generator ?? 'autocannon'];
  const samples = (await runChild(worker, [JSON.stringify(spec)], timeoutMs, progress)) as Omit<
    LoadSample,
    'cpuUsPerRequest' | 'serverCpuPercent'
  >[];
  return samples.map((sample, index) => {
    const cpuMs = cpuUsed[index] ?? Number.NaN;
    const windowMs = (sample.requests / sample.rps) * 1000;
    return {
      ...sample,
      cpuUsPerRequest: (cpuMs * 1000) / sample.requests,
      serverCpuPercent: (cpuMs / windowMs) * 100,
    };
  });
}

/** Sends each scenario once and describes any response that is not what every implementation must send. */
export async function checkResponses(port: number): Promise<string[]> {
  const problems: string[] = [];
  for (const scenario of SCENARIOS) {
    const init: RequestInit = { method: scenario.method, headers: scenario.headers };
    if (scenario.body !== undefined) init.body = scenario.body;
    const response = await fetch(`http://127.0.0.1:${port}${scenario.path}`, init);
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200) {
      problems.push(`${scenario.name}: status ${response.status}`);
    } else if (scenario.expectedJson === undefined) {
      if (!type.startsWith('text/html')) problems.push(`${scenario.name}: content-type ${type}, not HTML`);
    } else if (!type.startsWith('application/json') || !isDeepStrictEqual(safeParse(text), scenario.expectedJson)) {
      problems.push(`${scenario.name}: unexpected response ${type} ${text.slice(0, 120)}`);
    }
  }
  return problems;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function emptySamples(): Record<ScenarioName, LoadSample[]> {
  return { plain: [], resource: [], page: [], echo: [] };
}

/**
 * Runs the HTTP rows.
 * @example const results = await runHttpSuite(profile, console.log);
 */
export async function runHttpSuite(profile: Profile, log: (line: string) => void): Promise<HttpImplementationResult[]> {
  const results = HTTP_IMPLEMENTATIONS.map(
    (implementation): HttpImplementationResult => ({ implementation, notes: [], samples: emptySamples() }),
  );
  for (let round = 0; round < profile.rounds; round++) {
    // The toolkit runs right beside raw Fastify in every round: the targets compare the two.
    const order = rotateBeside(
      results,
      round,
      (result) => result.implementation === 'fastify',
      (result) => result.implementation === 'toolkit',
    );
    for (const result of order) {
      if (result.unavailable) continue;
      log(`http round ${round + 1}/${profile.rounds}: ${result.implementation}`);
      const server = BenchChild.startServer('http/server-child.ts', [result.implementation]);
      try {
        const port = await server.ready();
        if (port === undefined) throw new Error('server reported no port');
        if (round === 0) result.notes.push(...(await checkResponses(port)));
        const samples = await loadScenarios(
          port,
          SCENARIOS,
          {
            connections: profile.httpConnections,
            warmupSeconds: profile.httpWarmupSeconds,
            seconds: profile.httpSeconds,
            generator: profile.httpLoad,
          },
          server,
        );
        SCENARIOS.forEach((scenario, index) => {
          const sample = samples[index];
          if (!sample) throw new Error(`no sample for ${scenario.name}`);
          if (sample.non2xx + sample.errors + sample.timeouts > 0) {
            result.notes.push(
              `${scenario.name} round ${round + 1}: ${sample.non2xx} non-2xx, ${sample.errors} errors, ${sample.timeouts} timeouts`,
            );
          }
          result.samples[scenario.name].push(sample);
        });
      } catch (error) {
        result.unavailable = describeFailure(error);
        log(`  ${result.implementation}: ${result.unavailable}`);
      } finally {
        await server.stop();
      }
    }
  }
  return results;
}

/**
 * One line for a failed row: "not yet available" for a placeholder, otherwise the error's first line.
 * @example describeFailure(new UnavailableError('x')) // 'not yet available (x)'
 */
export function describeFailure(error: unknown): string {
  if (error instanceof UnavailableError) return `not yet available (${error.message})`;
  const text = error instanceof Error ? error.message : String(error);
  return `failed: ${text.split('\n')[0]}`;
}
