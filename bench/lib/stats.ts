/** Small statistics over benchmark rounds: medians, percentiles and ratios, formatted for the report. */

/**
 * The median of a list of numbers (the mean of the middle two for an even count); NaN when empty.
 * @example median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/**
 * The nearest-rank percentile of an already sorted array (p in 0..100); NaN when empty.
 * @example percentileOfSorted(Float64Array.from([1, 2, 3, 4]), 50) // 2
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * Collects latency samples in a growable typed array, so millions of samples cost no per-sample object.
 * @example const s = new LatencySamples(); s.add(1.5); s.summary().p99
 */
export class LatencySamples {
  #values = new Float64Array(1024);
  #count = 0;

  add(value: number): void {
    if (this.#count === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#count++] = value;
  }

  get count(): number {
    return this.#count;
  }

  summary(): { p50: number; p99: number } {
    const sorted = this.#values.subarray(0, this.#count).sort();
    return { p50: percentileOfSorted(sorted, 50), p99: percentileOfSorted(sorted, 99) };
  }
}

/**
 * Formats a rate with thousands separators and no decimals; `—` for a missing value.
 * @example formatRate(12345.6) // '12,346'
 */
export function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';
}

/**
 * Formats milliseconds with two significant decimals; `—` for a missing value.
 * @example formatMs(1.234) // '1.23'
 */
export function formatMs(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '—';
}

/**
 * Formats `value / reference` as `0.93×`; `—` when either is missing.
 * @example formatRatio(93, 100) // '0.93×'
 */
export function formatRatio(value: number, reference: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return '—';
  return `${(value / reference).toFixed(2)}×`;
}

/**
 * Formats a byte count as MiB with one decimal.
 * @example formatMiB(1048576) // '1.0'
 */
export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1048576).toFixed(1) : '—';
}
