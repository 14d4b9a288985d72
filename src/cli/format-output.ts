// Prints a statement outcome: an aligned text table, JSON ({columns, rows}) or CSV; EXPLAIN as its
// numbered text or its JSON report.
import type { Outcome } from '../engine/outcome.ts';
import type { Value } from '../ir/values.ts';

export type OutputFormat = 'table' | 'json' | 'csv';

/** Renders an outcome in a format ('text' is EXPLAIN's own text). */
export function formatOutcome(o: Outcome, format: OutputFormat | 'text'): string {
  if (o.kind === 'explain') return format === 'json' ? `${JSON.stringify(o.json, null, 2)}\n` : o.text;
  if (o.kind === 'ok') return format === 'json' ? `${JSON.stringify({ message: o.message })}\n` : `${o.message}\n`;
  const names = o.columns.map((c) => c.name);
  if (format === 'json') return `${JSON.stringify({ columns: o.columns, rows: o.rows, ...(o.stats ? { stats: o.stats } : {}) })}\n`;
  if (format === 'csv') return [names, ...o.rows.map((r) => r.map(cellText))].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  const table = textTable(names, o.rows.map((r) => r.map(cellText)));
  return o.stats && format === 'table' ? `${table}${statsLine(o.stats)}\n` : table;
}

/** One summary line; GPU time is labelled simulated when it is. */
export function statsLine(s: NonNullable<Extract<Outcome, { kind: 'rows' }>['stats']>): string {
  const gpu = s.simulated ? `, simulated makespan ${s.simulated_makespan_seconds.toFixed(1)} s, simulated GPU busy ${s.simulated_gpu_busy_seconds.toFixed(1)} s (simulated ${s.simulated_cluster ?? 'GPUs'})` : '';
  return `-- ${s.calls_total} model calls (${s.calls_executed} executed, ${s.response_cache_hits} cache hits, ${s.dedup_saved} deduplicated), ${s.prompt_tokens} prompt tokens (${s.cached_tokens} cached), ${s.errors} errors${gpu}, wall ${s.wall_seconds.toFixed(2)} s`;
}

function cellText(v: Value | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** An aligned table with a header rule; long cells are cut at 60 characters. */
export function textTable(names: readonly string[], rows: readonly (readonly string[])[]): string {
  const cut = (s: string): string => {
    const flat = s.replace(/\s+/g, ' ');
    return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
  };
  const cells = rows.map((r) => r.map(cut));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n') + '\n';
}
