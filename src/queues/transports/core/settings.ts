/**
 * The one reader of numbers in a broker URL's query (`?ackWaitMs=5000`, `?heartbeat=10`), so every transport
 * refuses a bad value the same way: `MS_QUEUE_BAD_URL`, naming the parameter and the URL's scheme.
 */
import { ERRORS } from '../../../errors.js';

/** What a parameter must be: at least 1 or at least 0, whole or not. */
export type NumberKind = 'positive integer' | 'whole number' | 'positive number';

const ACCEPTS: Readonly<Record<NumberKind, (value: number) => boolean>> = {
  'positive integer': (value) => Number.isInteger(value) && value > 0,
  'whole number': (value) => Number.isInteger(value) && value >= 0,
  'positive number': (value) => Number.isFinite(value) && value > 0,
};

/**
 * The number in `?key=`, or `fallback` when the parameter is absent or empty.
 * @example urlNumber(new URL('nats://h/?maxDeliver=5'), 'maxDeliver', 100, 'positive integer'); // 5
 */
export function urlNumber(url: URL, key: string, fallback: number, kind: NumberKind): number {
  const raw = url.searchParams.get(key);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!ACCEPTS[kind](value)) {
    throw ERRORS.MS_QUEUE_BAD_URL(`"${key}" in a ${url.protocol}// URL must be a ${kind}, not "${raw}"`);
  }
  return value;
}

/**
 * Like `urlNumber`, but `undefined` when the parameter is absent, for settings whose default lives elsewhere.
 * @example optionalUrlNumber(new URL('amqp://h/'), 'frame_max', 'whole number'); // undefined
 */
export function optionalUrlNumber(url: URL, key: string, kind: NumberKind): number | undefined {
  const raw = url.searchParams.get(key);
  return raw === null || raw === '' ? undefined : urlNumber(url, key, 0, kind);
}
