// Maps a DuckDB error message onto a diagnostic at the right place in the script: DuckDB prints the
// offending line with a caret ("LINE 1: ...\n   ^"); that column is translated to a script offset.
import { diag, type Diagnostic } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import { tokenLength } from './duck-ast.ts';

/** Which code a DuckDB error class maps to. */
function codeFor(kind: string, message: string): string {
  if (kind === 'Parser') return 'P0301';
  if (kind === 'Catalog' && /Table with name|Table Function with name/.test(message)) return 'B0401';
  if (kind === 'Catalog' && /Type with name/.test(message)) return 'B0301';
  if (kind === 'Catalog' && /Scalar Function with name|Function with name/.test(message)) return 'B0403';
  if (kind === 'Binder' && /column|Column/.test(message)) return 'B0402';
  if (kind === 'Catalog') return 'B0404';
  if (kind === 'Binder') return 'B0405';
  if (['Conversion', 'Invalid Input', 'Out of Range', 'Constraint', 'IO', 'Invalid'].includes(kind)) return 'E0101';
  return 'B0406';
}

/**
 * A diagnostic for a DuckDB error raised on `sql`, where `sql` was written at script offset `at`
 * (undefined when the SQL was generated and has no place in the script: `fallback` is used then).
 */
export function duckdbDiagnostic(error: unknown, sql: string, at: number | undefined, fallback?: Span, context?: string): Diagnostic {
  const full = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements: /, '');
  const m = /^([A-Za-z ]+?) Error: ([\s\S]*)$/.exec(full);
  const kind = m?.[1] ?? 'DuckDB';
  let body = m?.[2] ?? full;
  let span: Span | undefined = fallback;
  const line = /\n*LINE (\d+): ([^\n]*)\n( *)\^\s*$/.exec(body);
  if (line) {
    body = body.slice(0, line.index);
    if (at !== undefined) {
      const offset = locate(sql, Number(line[1]), line[2] ?? '', (line[3] ?? '').length - `LINE ${line[1]}: `.length);
      if (offset !== undefined) {
        span = { start: at + offset, end: at + offset + tokenLength(sql, offset) };
      }
    }
  }
  const notes: string[] = [];
  let help: string | undefined;
  const mean = /\n?Did you mean "([^"]+)"\?/.exec(body);
  if (mean) {
    // DuckDB also suggests its own catalog tables (pg_tables, duckdb_tables, ...): never useful here.
    const name = (mean[1] ?? '').replace(/^main\./, '');
    if (!/^(?:pg_|duckdb_|sqlite_|information_schema|temp\.|system\.)|\.pg_|\.duckdb_/.test(name)) help = `did you mean '${name}'?`;
    body = body.replace(mean[0], '');
  }
  const cand = /\nCandidate bindings: ([^\n]*)/.exec(body);
  if (cand) {
    help = `did you mean ${(cand[1] ?? '').replace(/"/g, "'").split(', ')[0]}?`;
    body = body.replace(cand[0], '');
  }
  // DuckDB quotes names with "; agentlake with ' (unless the quoted text holds a ' itself).
  const message = normalize(lowerFirst(body.trim().replace(/!$/, '').replace(/"([^"']*)"/g, "'$1'")));
  if (context) notes.push(context);
  if (/^unterminated quoted string/.test(message)) {
    return diag('P0002', 'unterminated string literal', span, { notes, help: "close it with a matching '" });
  }
  return diag(codeFor(kind, body), message, span, { notes, help });
}

/** DuckDB's most common messages in agentlake's style: "unknown table 'x'". */
function normalize(m: string): string {
  return m
    .replace(/^table with name (\S+) does not exist/, "unknown table '$1'")
    .replace(/^table function with name (\S+) does not exist/, "unknown table function '$1'")
    .replace(/^scalar function with name (\S+) does not exist/i, "unknown function '$1'")
    .replace(/^type with name (\S+) does not exist/, "unknown type '$1'")
    .replace(/^referenced column '([^']+)' not found in FROM clause/, "unknown column '$1'")
    .replace(/^(?:values list|table) '([^']+)' does not have a column named '([^']+)'/, "unknown column '$1.$2'")
    .replace(/\s*Use 'SET [^']*' to revert[^\n]*$/s, '');
}

function lowerFirst(s: string): string {
  return s.length > 0 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** Finds the offset in `sql` of column `col` of DuckDB's (possibly windowed with "...") echo of line `n`. */
function locate(sql: string, n: number, echoed: string, col: number): number | undefined {
  const lines = sql.split('\n');
  let lineStart = 0;
  for (let i = 0; i < n - 1 && i < lines.length; i++) lineStart += (lines[i]?.length ?? 0) + 1;
  const lineText = lines[n - 1];
  if (lineText === undefined || col < 0) return undefined;
  let shown = echoed;
  let lead = 0;
  if (shown.startsWith('...')) {
    shown = shown.slice(3);
    lead = 3;
  }
  shown = shown.replace(/\.\.\.$/, '');
  const where = lineText.indexOf(shown.slice(0, Math.min(shown.length, 40)));
  const base = shown.length === 0 ? 0 : where;
  if (base < 0) return undefined;
  return lineStart + base + (col - lead);
}
