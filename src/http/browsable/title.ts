/**
 * The seed's view-name rule (SEED-BEHAVIOUR §3): the endpoint with `-`, `_` and `.` turned into spaces, then
 * capitalised like Python's `str.capitalize()` (first character upper-cased, the rest lower-cased).
 *
 * @example
 * viewTitle('second_params_two'); // 'Second params two'
 * viewTitle('Hello, world!'); // 'Hello, world!'
 */
export function viewTitle(endpoint: string): string {
  const spaced = endpoint.replace(/[-_.]/g, ' ');
  const first = spaced.codePointAt(0);
  if (first === undefined) return '';
  const head = String.fromCodePoint(first);
  return head.toUpperCase() + spaced.slice(head.length).toLowerCase();
}
