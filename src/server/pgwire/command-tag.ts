// PostgreSQL's CommandComplete tags for statements without a result set (INSERT 0 n, CREATE TABLE,
// BEGIN, ...), from the statement's first words.

/** The statement's first two words, upper-cased, comments skipped. */
export function firstWords(sql: string): string {
  const words = sql.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '').match(/^[A-Za-z_]+(\s+[A-Za-z_]+){0,4}/)?.[0] ?? '';
  return words.toUpperCase().replace(/\s+/g, ' ');
}

/** PostgreSQL's CommandComplete tag for a statement without a result set. */
export function commandTag(sql: string, rowCount: number | undefined): string {
  const w = firstWords(sql).replace(/^CREATE OR REPLACE /, 'CREATE ').replace(/ (TEMP|TEMPORARY|UNIQUE)\b/, '');
  const n = rowCount ?? 0;
  const parts = w.split(' ');
  const first = parts[0] ?? '';
  if (first === 'INSERT') return `INSERT 0 ${n}`;
  if (first === 'UPDATE' || first === 'DELETE' || first === 'COPY' || first === 'MERGE') return `${first} ${n}`;
  if (first === 'START' || first === 'BEGIN') return 'BEGIN';
  if (first === 'END' || first === 'COMMIT') return 'COMMIT';
  if (first === 'ABORT' || first === 'ROLLBACK') return 'ROLLBACK';
  if (w.startsWith('CREATE TABLE') && /\bAS\b/i.test(sql)) return `SELECT ${n}`;
  if (first === 'CREATE' || first === 'DROP' || first === 'ALTER') return parts.slice(0, 2).join(' ');
  return first === '' ? 'OK' : first;
}
