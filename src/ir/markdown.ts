// How table-valued data renders into a prompt: a GitHub-style markdown table. Shared by planning
// (token estimates) and execution (format actions), so both see exactly the same text.
import type { Value } from './values.ts';

/** Renders rows as a markdown table; cells are single-line, '|' escaped. */
export function markdownTable(columns: readonly string[], rows: readonly (readonly Value[])[]): string {
  const cell = (v: Value | undefined): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  };
  const head = `| ${columns.join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${columns.map((_, i) => cell(r[i])).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/** Renders a scalar bound into a prompt. */
export function valueText(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
