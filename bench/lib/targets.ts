/**
 * The targets, read from the measured medians. They are reported, never asserted: a missed target
 * is a finding for BENCHMARKS.md (with what limits it), not a failing command. Quick runs check none.
 */
import { markdownTable } from './markdown.js';

export interface TargetCheck {
  readonly target: string;
  /** The measured ratio or rate, NaN when one side was not measured. */
  readonly measured: number;
  readonly threshold: number;
  readonly unit: '×' | 'msg/s';
  /**
   * Set when the target is missed for a measured reason the issue allows (a guarantee whose cost is measured
   * on its own, in the same run): the state names it instead of a bare MISSED.
   */
  readonly exception?: string;
}

/**
 * Builds a ratio target: `value / reference >= threshold`.
 * @example ratioTarget('(a) ≥ 0.90 × raw Fastify', 9000, 10000, 0.9)
 */
export function ratioTarget(target: string, value: number, reference: number, threshold: number): TargetCheck {
  const measured =
    Number.isFinite(value) && Number.isFinite(reference) && reference > 0 ? value / reference : Number.NaN;
  return { target, measured, threshold, unit: '×' };
}

/**
 * Builds an absolute rate target: `value >= threshold` messages per second.
 * @example rateTarget('memory ≥ 200,000 msg/s', 250000, 200000)
 */
export function rateTarget(target: string, value: number, threshold: number): TargetCheck {
  return { target, measured: value, threshold, unit: 'msg/s' };
}

function state(check: TargetCheck, quick: boolean): string {
  if (quick) return 'not checked (quick run)';
  if (!Number.isFinite(check.measured)) return 'not measured';
  if (check.measured >= check.threshold) return 'met';
  return check.exception === undefined ? 'MISSED' : `below: ${check.exception}`;
}

function formatValue(value: number, unit: TargetCheck['unit'], threshold?: number): string {
  if (!Number.isFinite(value)) return '—';
  if (unit !== '×') return `${Math.round(value).toLocaleString('en-US')} msg/s`;
  // Near the bar, two decimals could show 0.90 for a missed 0.896: show a third.
  const digits = threshold !== undefined && Math.abs(value - threshold) < 0.005 ? 3 : 2;
  return `${value.toFixed(digits)}×`;
}

/**
 * The targets table of the report.
 * @example renderTargets([ratioTarget('x', 1, 1, 0.9)], false)
 */
export function renderTargets(checks: readonly TargetCheck[], quick: boolean): string {
  return markdownTable(
    ['Target', 'Measured', 'Needed', 'State'],
    checks.map((check) => [
      check.target,
      formatValue(check.measured, check.unit, check.threshold),
      `≥ ${formatValue(check.threshold, check.unit)}`,
      state(check, quick),
    ]),
  );
}
