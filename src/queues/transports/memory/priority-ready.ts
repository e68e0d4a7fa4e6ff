/**
 * The ready messages of one memory queue, by priority: `shift()` takes the oldest message of the highest
 * priority present, as RabbitMQ does on a queue declared with `x-max-priority`. A message's priority is its
 * `priority` property capped at the queue's `maxPriority`; a queue without `maxPriority` has one level (FIFO).
 */
import { Deque } from '../../../internal/deque.js';

/**
 * @example
 * const ready = new PriorityReady<{ p: number }>((m) => m.p);
 * ready.push({ p: 1 }); ready.push({ p: 9 }); ready.shift(); // { p: 9 }
 */
export class PriorityReady<T> {
  /** Levels from the highest priority down; most queues have only level 0. */
  #levels: { readonly priority: number; readonly items: Deque<T> }[] = [];
  #length = 0;
  readonly #priorityOf: (item: T) => number;

  constructor(priorityOf: (item: T) => number) {
    this.#priorityOf = priorityOf;
  }

  get length(): number {
    return this.#length;
  }

  /** Appends at the tail of its priority level. */
  push(item: T): void {
    this.#level(this.#priorityOf(item)).push(item);
    this.#length += 1;
  }

  /** Puts an item back first in line within its priority level (an immediate requeue). */
  unshift(item: T): void {
    this.#level(this.#priorityOf(item)).unshift(item);
    this.#length += 1;
  }

  /** Removes the oldest item of the highest priority present. */
  shift(): T | undefined {
    for (const level of this.#levels) {
      if (level.items.length > 0) {
        this.#length -= 1;
        return level.items.shift();
      }
    }
    return undefined;
  }

  clear(): number {
    const removed = this.#length;
    this.#levels = [];
    this.#length = 0;
    return removed;
  }

  #level(priority: number): Deque<T> {
    const found = this.#levels.find((level) => level.priority === priority);
    if (found) return found.items;
    const items = new Deque<T>();
    this.#levels.push({ priority, items });
    this.#levels.sort((a, b) => b.priority - a.priority);
    return items;
  }
}
