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

/**
 * `rotate`, then `partner` moved right beside `anchor` (after it in even rounds, before it in odd ones), so a
 * ratio between the two compares runs made minutes apart at most, under the same conditions: on a shared
 * machine whole stretches of rounds run faster or slower, and a rotation alone can put the two in different
 * stretches.
 * @example rotateBeside(['a', 'b', 'c', 'd'], 0, (x) => x === 'b', (x) => x === 'd') // ['a', 'b', 'd', 'c']
 */
export function rotateBeside<T>(
  items: readonly T[],
  round: number,
  anchor: (item: T) => boolean,
  partner: (item: T) => boolean,
): T[] {
  const rotated = rotate(items, round);
  const moved = rotated.find(partner);
  const others = rotated.filter((item) => item !== moved);
  const at = others.findIndex(anchor);
  if (moved === undefined || at < 0) return rotated;
  others.splice(round % 2 === 0 ? at + 1 : at, 0, moved);
  return others;
}
