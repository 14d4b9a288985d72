// Renders diagnostics as text with file:line:col, the source line and a caret underline (STYLE.md).
import type { Diagnostic } from './diagnostic.ts';
import { lineCol, type Source } from './span.ts';

/** Renders one diagnostic against its source. */
export function renderDiagnostic(d: Diagnostic, source: Source | undefined): string {
  const out = [`error[${d.code}]: ${d.message}`];
  if (d.span && source) {
    const { line, col } = lineCol(source.text, d.span.start);
    const lines = source.text.split('\n');
    const text = (lines[line - 1] ?? '').replace(/\r$/, '');
    const gutter = ' '.repeat(String(line).length);
    const lineEnd = source.text.indexOf('\n', d.span.start);
    const spanEnd = Math.min(d.span.end, lineEnd === -1 ? source.text.length : lineEnd);
    const width = Math.max(1, spanEnd - d.span.start);
    out.push(`${gutter}--> ${source.name}:${line}:${col}`);
    out.push(`${gutter} |`);
    out.push(`${line} | ${text.replace(/\t/g, ' ')}`);
    out.push(`${gutter} | ${' '.repeat(col - 1)}${'^'.repeat(width)}`);
  } else if (source) {
    out.push(` --> ${source.name}`);
  }
  const pad = d.span && source ? ' '.repeat(String(lineCol(source.text, d.span.start).line).length) : '';
  for (const n of d.notes ?? []) out.push(`${pad} = note: ${n}`);
  if (d.help) out.push(`${pad} = help: ${d.help}`);
  return out.join('\n');
}

/** Renders many diagnostics separated by blank lines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: Source | undefined): string {
  return ds.map((d) => renderDiagnostic(d, source)).join('\n\n') + '\n';
}
