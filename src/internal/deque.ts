/**
 * A double-ended FIFO on a plain array with a moving head, so that `shift()` is O(1) amortised instead of the
 * O(n) of `Array.prototype.shift` on long queues. The memory broker keeps ready messages in it.
 */
export class Deque<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /**
   * How many items are queued.
   * @example new Deque<number>().length; // 0
   */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Appends at the tail.
   * @example const d = new Deque<number>(); d.push(1);
   */
  push(item: T): void {
    this.#items.push(item);
  }

  /**
   * Puts an item back at the head (a requeued message goes first again, as in RabbitMQ).
   * @example const d = new Deque<number>(); d.push(2); d.unshift(1); d.shift(); // 1
   */
  unshift(item: T): void {
    if (this.#head > 0) {
      this.#head -= 1;
      this.#items[this.#head] = item;
    } else {
      this.#items.unshift(item);
    }
  }

  /**
   * Removes and returns the head, or undefined when empty.
   * @example const d = new Deque<number>(); d.push(1); d.shift(); // 1
   */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    // Compact once the dead prefix dominates, so memory does not grow with throughput.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /**
   * Removes everything and returns how many items there were.
   * @example const d = new Deque<number>(); d.push(1); d.clear(); // 1
   */
  clear(): number {
    const removed = this.length;
    this.#items = [];
    this.#head = 0;
    return removed;
  }
}
