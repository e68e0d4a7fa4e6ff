/** The RPC peer section of BENCHMARKS.md (the toolkit's own RPC row goes beside it when it lands). */
import { markdownTable } from '../../lib/markdown.js';
import { formatMs, formatRate, median } from '../../lib/stats.js';
import type { RpcPeerRow } from './suite.js';

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '—';
}

/**
 * One table: calls per second, latency and CPU per call for each concurrency level.
 * @example renderRpcPeerSection(rows, 100)
 */
export function renderRpcPeerSection(rows: readonly RpcPeerRow[], prefetch: number): string {
  const table = rows.map((row) => {
    const head = ['Moleculer 0.14 `broker.call()`, AMQP transporter', String(row.concurrency)];
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
    `Request/reply over RabbitMQ: each call sends the queue rows' 1 KiB JSON message and the handler replies \`{ id }\`; the caller checks the reply's id. Moleculer runs two ServiceBrokers (caller and responder) in one process with its AMQP transporter, \`disableBalancer\` (so requests go through the action's durable queue \`MOL-<ns>.REQB.rpc.echo\`, replies through the caller's reply queue) and a prefetch of ${prefetch}. **CPU µs/call**: the process's CPU time (caller and responder) per call; **broker CPU**: RabbitMQ's (beam.smp, from /proc) per call.`,
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
