/**
 * Options renamed to say their unit (`drainTimeout` became `drainTimeoutMs`, issue 11): the old name keeps
 * working as a deprecated alias, and giving both with different values is refused, since which one wins
 * would be a guess. Each part passes its own way of refusing, so the error has that part's bad-option code.
 */

/** Same value for an option: numbers by `Object.is`, plain objects (per-phase timeouts) key by key. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * The value of option `name`, else of its deprecated alias `alias` turned into the new unit by `convert`.
 * @example renamedOption({ drainTimeout: 500 }, 'drainTimeoutMs', 'drainTimeout', (m) => new TypeError(m)); // 500
 * @example renamedOption({ reconnectTimeout: 2 }, 'initialDelayMs', 'reconnectTimeout', refuse, (s) => s * 1000); // 2000
 */
export function renamedOption<T = number>(
  options: object | undefined,
  name: string,
  alias: string,
  refuse: (message: string) => Error,
  convert: (value: never) => unknown = (value) => value,
): T | undefined {
  const values = (options ?? {}) as Record<string, unknown>;
  const current = values[name];
  const old = values[alias];
  if (old === undefined) return current as T | undefined;
  // A value the conversion cannot take (a string, NaN) is left to the part's own range check.
  const converted = typeof old === 'number' ? convert(old as never) : old;
  if (current === undefined) return converted as T;
  if (!sameValue(current, converted)) {
    throw refuse(
      `"${name}" and its deprecated alias "${alias}" are both given, with different values; give only "${name}"`,
    );
  }
  return current as T;
}
