/**
 * What the scaling driver (suite.ts) and its children (scaling-child.ts) exchange. Kept apart from the child
 * script, whose import runs the child: the driver importing it once started a consumer in the driver's own
 * process, which connected to RabbitMQ and kept `npm run bench` from exiting after its report.
 */

export interface ScalingChildSpec {
  readonly role: 'fill' | 'consume';
  readonly url: string;
  readonly queue: string;
  readonly messages: number;
  readonly window: number;
  readonly prefetch: number;
}

export interface ConsumerReport {
  readonly count: number;
  /** `performance.timeOrigin + performance.now()` at the last message, comparable across processes. */
  readonly lastAt: number;
  readonly cpuMs: number;
}

/** A wall-clock time in ms with sub-millisecond resolution, comparable between processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
