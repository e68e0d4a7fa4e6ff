/**
 * Describes whatever a handler threw or rejected with, for the log line and the dead-letter headers. A
 * handler may reject with anything (`Object.create(null)`, a Symbol, a Proxy that throws on every get, an
 * Error whose `message` getter throws), so nothing here may throw, and every string is bounded: a huge
 * message must not make a header the broker refuses.
 */

/** Longest `message` kept in a dead-letter header; the rest is cut with a marker. */
export const MAX_ERROR_MESSAGE = 4096;
/** Longest error name kept. */
const MAX_ERROR_NAME = 256;
/** Longest stack kept for the log line. */
const MAX_STACK = 16_384;

export interface FailureDescription {
  /** The error's class name, or the type of a non-Error value (`string`, `symbol`, `object`). */
  readonly name: string;
  readonly message: string;
  /** For the log: the stack when there is one, else `name: message`. */
  readonly detail: string;
}

function bounded(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters cut)`;
}

/** Runs `read` and returns its result when it is a string; undefined when it throws or is not one. */
function safeString(read: () => unknown): string | undefined {
  try {
    const value = read();
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function safeIsError(value: unknown): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

function safeTypeof(value: unknown): string {
  try {
    return value === null ? 'null' : typeof value;
  } catch {
    return 'unknown';
  }
}

/** `String(value)` that survives values without a string form (null-prototype objects, revoked proxies). */
function safeText(value: unknown): string {
  try {
    if (typeof value === 'symbol') return value.toString();
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[unprintable value]';
    }
  }
}

/**
 * Never throws, whatever `error` is.
 * @example describeFailure(Object.create(null)).message; // '[object Object]'
 */
export function describeFailure(error: unknown): FailureDescription {
  if (safeIsError(error)) {
    const failure = error as Error;
    const name = bounded(safeString(() => failure.name) ?? 'Error', MAX_ERROR_NAME);
    const message = bounded(safeString(() => failure.message) ?? '[message unreadable]', MAX_ERROR_MESSAGE);
    const stack = safeString(() => failure.stack);
    return { name, message, detail: bounded(stack ?? `${name}: ${message}`, MAX_STACK) };
  }
  const name = safeTypeof(error);
  const message = bounded(safeText(error), MAX_ERROR_MESSAGE);
  return { name, message, detail: `${name}: ${message}` };
}
