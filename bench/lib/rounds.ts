/** Alternation across rounds: each round starts with a different implementation, so no one always goes first. */

/**
 * The list rotated left by `round` places.
 * @example rotate(['a', 'b', 'c'], 1) // ['b', 'c', 'a']
 */
export function rotate<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
