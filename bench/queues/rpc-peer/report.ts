/** The request/reply section of BENCHMARKS.md: the toolkit's `call()` beside Moleculer's `broker.call()`. */
import { markdownTable } from '../../lib/markdown.js';
import { formatMs, formatRate, median } from '../../lib/stats.js';
import type { RpcPeerRow } from './suite.js';

const LABELS: Readonly<Record<RpcPeerRow['implementation'], string>> = {
  'toolkit-amqp': '**microservices-ts** `call()`, RabbitMQ (direct reply-to)',
  'toolkit-nats': '**microservices-ts** `call()`, NATS (core inbox)',
  moleculer: 'Moleculer 0.14 `broker.call()`, AMQP transporter',
};

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '—';
}

/**
 * One table: calls per second, latency and CPU per call for each concurrency level.
 * @example renderRpcPeerSection(rows, 100)
 */
export function renderRpcPeerSection(rows: readonly RpcPeerRow[], prefetch: number): string {
  const table = rows.map((row) => {
    const head = [LABELS[row.implementation], String(row.concurrency)];
    if (row.unavailable) return [...head, row.unavailable, '', '', '', '', ''];
    const pick = (metric: keyof RpcPeerRow['samples'][number]): number =>
      median(row.samples.map((sample) => sample[metric]));
    return [
      ...head,
      formatRate(pick('callsPerSecond')),
      formatMs(pick('p50')),
      formatMs(pick('p99')),
      fixed(pick('cpuUsPerCall')),
      fixed(pick('brokerCpuUsPerCall')),
      row.samples.map((sample) => formatRate(sample.callsPerSecond)).join(' / '),
    ];
  });
  return [
    `Request/reply: each call sends the queue rows' 1 KiB JSON message and the handler replies \`{ id }\`; the caller checks the reply's id. The toolkit runs a \`QueueService\` (${prefetch} workers) and a \`QueueClient\` in one process, loaded from \`dist/\`; requests are non-persistent messages on the service's durable queue, replies come back through RabbitMQ's direct reply-to or a NATS inbox. Moleculer runs two ServiceBrokers (caller and responder) in one process with its AMQP transporter, \`disableBalancer\` (so requests go through the action's durable queue \`MOL-<ns>.REQB.rpc.echo\`, replies through the caller's reply queue) and a prefetch of ${prefetch}. **CPU µs/call**: the process's CPU time (caller and responder) per call; **broker CPU**: the broker's (beam.smp or nats-server, from /proc) per call.`,
    '',
    markdownTable(
      [
        'Implementation',
        'concurrency',
        'calls/s (median)',
        'p50 ms',
        'p99 ms',
        'CPU µs/call',
        'broker CPU µs/call',
        'calls/s per round',
      ],
      table,
    ),
    '',
  ].join('\n');
}
