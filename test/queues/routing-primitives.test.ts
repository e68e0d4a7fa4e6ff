/** The memory broker's building blocks: topic matching and the deque behind its queues. */
import { describe, expect, it } from 'vitest';
import { Deque } from '../../src/internal/deque.js';
import { compileTopic } from '../../src/queues/transports/core/topic.js';

describe('compileTopic', () => {
  const cases: Array<[string, string, boolean]> = [
    ['a.*', 'a.b', true],
    ['a.*', 'b.b', false],
    ['a.*', 'a', false],
    ['a.*', 'a.b.c', false],
    ['a.#', 'a', true],
    ['a.#', 'a.b.c', true],
    ['#', '', true],
    ['#.z', 'x.y.z', true],
    ['#.z', 'x.y', false],
    ['*.b.#', 'a.b', true],
    ['*.b.#', 'b', false],
    ['exact.key', 'exact.key', true],
    ['exact.key', 'exact.keys', false],
  ];
  it.each(cases)('pattern %s against %s gives %s', (pattern, key, expected) => {
    expect(compileTopic(pattern)(key)).toBe(expected);
  });
});

describe('Deque', () => {
  it('is FIFO, takes items back at the head, and survives compaction', () => {
    const deque = new Deque<number>();
    for (let i = 0; i < 5000; i += 1) deque.push(i);
    for (let i = 0; i < 3000; i += 1) expect(deque.shift()).toBe(i);
    deque.unshift(-1);
    expect(deque.length).toBe(2001);
    expect(deque.shift()).toBe(-1);
    expect(deque.shift()).toBe(3000);
    expect(deque.clear()).toBe(1999);
    expect(deque.shift()).toBeUndefined();
    deque.unshift(7);
    expect(deque.shift()).toBe(7);
  });
});
