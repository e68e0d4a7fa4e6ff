/**
 * The memory rows: the resident set size of a server process sampled along a long run of requests, and of
 * a queue process along a long run of messages, to show that it levels off instead of growing.
 */
import { describeFailure, loadScenarios } from '../http/suite.js';
import { SCENARIOS } from '../http/workload.js';
import { BenchChild } from '../lib/child.js';
import type { Profile } from '../lib/options.js';
import { runQueueChild } from '../queues/suite.js';

export interface RssPoint {
  /** Requests or messages handled so far. */
  readonly count: number;
  readonly bytes: number;
}

export interface RssSeries {
  readonly label: string;
  readonly unit: 'requests' | 'messages';
  readonly total: number;
  unavailable?: string;
  readonly points: RssPoint[];
}

async function serverSeries(
  implementation: 'toolkit' | 'fastify',
  label: string,
  profile: Profile,
  log: (line: string) => void,
): Promise<RssSeries> {
  const series: RssSeries = { label, unit: 'requests', total: profile.rssRequests, points: [] };
  const plain = SCENARIOS.filter((scenario) => scenario.name === 'plain');
  const server = BenchChild.start('http/server-child.ts', [implementation]);
  try {
    const port = await server.ready();
    if (port === undefined) throw new Error('server reported no port');
    series.points.push({ count: 0, bytes: server.rssBytes() });
    log(`memory: ${label}, ${profile.rssRequests.toLocaleString('en-US')} requests`);
    await loadScenarios(
      port,
      plain,
      {
        connections: profile.httpConnections,
        warmupSeconds: 0,
        amount: profile.rssRequests,
        chunks: profile.rssSamples,
      },
      server,
      (requests) => series.points.push({ count: requests, bytes: server.rssBytes() }),
    );
  } catch (error) {
    series.unavailable = describeFailure(error);
  } finally {
    await server.stop();
  }
  return series;
}

async function queueSeries(profile: Profile, log: (line: string) => void): Promise<RssSeries> {
  const label = '**microservices-ts** queue service + client on memory://';
  const series: RssSeries = { label, unit: 'messages', total: profile.rssMessages, points: [] };
  log(`memory: ${profile.rssMessages.toLocaleString('en-US')} messages through memory://`);
  try {
    const result = await runQueueChild({
      broker: 'memory',
      implementation: 'toolkit',
      messages: profile.rssMessages,
      window: profile.publishWindow,
      prefetch: profile.prefetch,
      rssSamples: profile.rssSamples,
    });
    series.points.push(...result.rss.map((point) => ({ count: point.messages, bytes: point.bytes })));
  } catch (error) {
    series.unavailable = describeFailure(error);
  }
  return series;
}

/**
 * Runs the memory rows: the toolkit's HTTP service (raw Fastify beside it for reference) and its queues.
 * @example const series = await runMemorySuite(profile, console.log);
 */
export async function runMemorySuite(profile: Profile, log: (line: string) => void): Promise<RssSeries[]> {
  return [
    await serverSeries('toolkit', '**microservices-ts** HTTP service, plain route', profile, log),
    await serverSeries('fastify', 'raw Fastify 5, plain route (reference)', profile, log),
    await queueSeries(profile, log),
  ];
}
