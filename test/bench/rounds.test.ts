import { describe, expect, it } from 'vitest';
import { rotate, rotateBeside } from '../../bench/lib/rounds.js';

const SERVERS = ['node:http', 'fastify', 'express', 'hono', 'toolkit'] as const;
const isFastify = (name: string): boolean => name === 'fastify';
const isToolkit = (name: string): boolean => name === 'toolkit';

describe('bench rounds', () => {
  it('rotate starts every round with another implementation', () => {
    expect(SERVERS.map((_, round) => rotate(SERVERS, round)[0])).toEqual([...SERVERS]);
  });

  it('rotateBeside keeps the partner next to the anchor, alternating which goes first, and drops no one', () => {
    for (let round = 0; round < 10; round++) {
      const order = rotateBeside(SERVERS, round, isFastify, isToolkit);
      expect([...order].sort()).toEqual([...SERVERS].sort());
      const fastify = order.indexOf('fastify');
      const toolkit = order.indexOf('toolkit');
      expect(toolkit - fastify).toBe(round % 2 === 0 ? 1 : -1);
    }
    // Everyone else still rotates: the first slot changes from round to round.
    const firsts = new Set(
      Array.from({ length: 5 }, (_, round) => rotateBeside(SERVERS, round, isFastify, isToolkit)[0]),
    );
    expect(firsts.size).toBeGreaterThan(2);
  });

  it('rotateBeside leaves the order alone when the pair is incomplete', () => {
    expect(
      rotateBeside(
        ['a', 'b', 'c'],
        1,
        (x) => x === 'b',
        (x) => x === 'z',
      ),
    ).toEqual(rotate(['a', 'b', 'c'], 1));
  });
});
