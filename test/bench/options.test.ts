import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/lib/options.js';

describe('bench options: rounds', () => {
  it('gives the queue rows 9 rounds in a full run and one in a quick run', () => {
    expect(parseBenchOptions([]).profile).toMatchObject({ rounds: 3, queueRounds: 9 });
    expect(parseBenchOptions(['--quick']).profile).toMatchObject({ rounds: 1, queueRounds: 1 });
  });

  it('never gives the queue rows fewer rounds than the rest', () => {
    expect(parseBenchOptions(['--rounds', '5']).profile).toMatchObject({ rounds: 5, queueRounds: 9 });
    expect(parseBenchOptions(['--rounds', '12']).profile).toMatchObject({ rounds: 12, queueRounds: 12 });
    expect(parseBenchOptions(['--rounds', '5', '--queue-rounds', '3']).profile.queueRounds).toBe(5);
    expect(parseBenchOptions(['--quick', '--queue-rounds', '4']).profile.queueRounds).toBe(4);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => parseBenchOptions(['--queue-rounds', '0'])).toThrow('--queue-rounds must be a positive integer');
    expect(() => parseBenchOptions(['--queue-rounds', '2.5'])).toThrow('--queue-rounds must be a positive integer');
    expect(() => parseBenchOptions(['--rounds', 'x'])).toThrow('--rounds must be a positive integer');
  });
});
