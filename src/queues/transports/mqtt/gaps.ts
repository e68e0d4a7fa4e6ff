/**
 * Detects messages the broker dropped. Mosquitto silently discards QoS 1 messages beyond
 * `max_queued_messages` for an offline session, and loses what it had not saved when it is killed; MQTT
 * tells nobody. Every publisher numbers its messages per topic, so a consumer that sees 1, 2, 5 knows 3
 * and 4 are missing. Only first deliveries count (a requeued copy carries its old number), and a
 * message that turns up late takes its number out of the gap again.
 */

/** Missing sequence numbers of one publisher on one topic, as inclusive ranges. */
export interface GapReport {
  readonly publisher: string;
  readonly topic: string;
  readonly ranges: ReadonlyArray<readonly [from: number, to: number]>;
  readonly missing: number;
}

interface Stream {
  next: number;
  ranges: Array<[number, number]>;
}

export class GapDetector {
  readonly #streams = new Map<string, Stream>();

  /**
   * Records one first delivery; returns the newly opened gap, if this message revealed one.
   * @example detector.observe('pub-1', 'ms/q/basic', 5); // { from: 3, to: 4 } after 1, 2
   */
  observe(publisher: string, topic: string, sequence: number): { from: number; to: number } | undefined {
    const key = `${publisher}\u0000${topic}`;
    let stream = this.#streams.get(key);
    if (!stream) {
      stream = { next: 1, ranges: [] };
      this.#streams.set(key, stream);
    }
    if (sequence >= stream.next) {
      const opened = sequence > stream.next ? { from: stream.next, to: sequence - 1 } : undefined;
      if (opened) stream.ranges.push([opened.from, opened.to]);
      stream.next = sequence + 1;
      return opened;
    }
    // A late arrival (or a broker redelivery): take it out of any gap it was in.
    stream.ranges = stream.ranges.flatMap(([from, to]): Array<[number, number]> => {
      if (sequence < from || sequence > to) return [[from, to]];
      const parts: Array<[number, number]> = [];
      if (from < sequence) parts.push([from, sequence - 1]);
      if (sequence < to) parts.push([sequence + 1, to]);
      return parts;
    });
    return undefined;
  }

  /** Every known gap, per publisher and topic. */
  report(): GapReport[] {
    const reports: GapReport[] = [];
    for (const [key, stream] of this.#streams) {
      if (stream.ranges.length === 0) continue;
      const [publisher = '', topic = ''] = key.split('\u0000');
      const missing = stream.ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0);
      reports.push({ publisher, topic, ranges: stream.ranges.map(([from, to]) => [from, to] as const), missing });
    }
    return reports;
  }
}
