/**
 * The queue targets' reasoned exception (bench/queues/report.ts): a bare-raw ratio below 0.9 is listed as an
 * exception only when this run's raw-carrying row explains it, and as a plain miss otherwise.
 */
import { describe, expect, it } from 'vitest';
import { renderTargets } from '../../bench/lib/targets.js';
import type { BrokerName, QueueImplementation } from '../../bench/queues/brokers.js';
import type { QueueRunResult } from '../../bench/queues/queue-child.js';
import { queueTargets, renderQueueSection } from '../../bench/queues/report.js';
import type { QueueRowResult } from '../../bench/queues/suite.js';

function row(broker: BrokerName, implementation: QueueImplementation, rate: number, cpu: number): QueueRowResult {
  const sample: QueueRunResult = {
    publishRate: rate,
    consumeRate: rate,
    p50: 1,
    p99: 2,
    publishCpuUs: cpu,
    consumeCpuUs: cpu,
    brokerPublishCpuUs: 40,
    brokerConsumeCpuUs: 40,
    rss: [],
  };
  return { broker, implementation, messages: 20_000, samples: [sample], failedRounds: [] };
}

function mqttStates(raw: number, carrying: number, toolkit: number): string[] {
  const rows = [
    row('mqtt', 'raw', raw, 50),
    row('mqtt', 'raw-carrying', carrying, 76),
    row('mqtt', 'toolkit', toolkit, 78),
  ];
  const table = renderTargets(queueTargets(rows), false);
  return table.split('\n').filter((line) => line.startsWith('| MQTT') && line.includes('≥ 0.9 × raw (informational)'));
}

describe('queue targets: the reasoned exception for the properties a transport carries', () => {
  it('names the exception when carrying the properties explains the gap and the toolkit is within 0.9× of that', () => {
    const lines = mqttStates(23_000, 14_800, 14_600);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain('below: the raw client carrying the same properties runs at 0.64× bare raw');
      expect(line).toContain('the toolkit at 0.99× that');
      expect(line).not.toContain('MISSED');
    }
  });

  it('stays a plain miss when the toolkit is also more than 10 % below the raw client carrying the properties', () => {
    for (const line of mqttStates(23_000, 14_800, 12_000)) expect(line).toMatch(/\| MISSED \|$/);
  });

  it('stays a plain miss when carrying the properties costs the raw client less than 10 %', () => {
    for (const line of mqttStates(18_000, 17_000, 15_000)) expect(line).toMatch(/\| MISSED \|$/);
  });

  it("states this run's cost of the properties under the queue table", () => {
    const rows = [
      row('mqtt', 'raw', 23_000, 50),
      row('mqtt', 'raw-carrying', 14_800, 76),
      row('mqtt', 'toolkit', 14_600, 78),
    ];
    expect(renderQueueSection(rows, 100, 100)).toContain(
      'carrying them cost the raw client 26 µs of CPU per message over the publish window (76 against 50) and it published at 0.64× of the bare raw rate',
    );
  });
});
