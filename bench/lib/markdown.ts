/** Markdown table building for the report; cells are escaped so a `|` in an error message cannot break a row. */

/**
 * A GitHub-flavoured Markdown table.
 * @example markdownTable(['a', 'b'], [['1', '2']])
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${header.map(() => '---').join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
