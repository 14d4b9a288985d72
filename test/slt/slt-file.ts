// Reads and rewrites sqllogictest-style .slt files (format in README.md): records separated by blank
// lines, each a header line, SQL, and for `query`/`explain` an expected block after `----`.
// Rewriting (BLESS=1) replaces only expected blocks; every other line of the file is kept as written.

/** One record of an .slt file. Line numbers are 0-based indexes into the file's lines. */
export type SltRecord =
  | { readonly kind: 'statement_ok'; readonly line: number; readonly sql: string }
  | { readonly kind: 'statement_error'; readonly line: number; readonly sql: string; readonly pattern: RegExp }
  | {
      readonly kind: 'query' | 'explain';
      readonly line: number;
      readonly sql: string;
      readonly rowsort: boolean;
      /** Expected lines, or undefined when the record has no `----` block yet. */
      readonly expected: readonly string[] | undefined;
      /** The comment lines just above the record say KNOWN BUG: BLESS keeps its hand-written expected block. */
      readonly knownBug: boolean;
      /** Lines [blockStart, blockEnd) hold `----` and the expected lines (empty range when absent). */
      readonly blockStart: number;
      readonly blockEnd: number;
    };

/** A malformed .slt file. */
export class SltSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line + 1}: ${message}`);
    this.name = 'SltSyntaxError';
  }
}

const isBlank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/** Parses the text of an .slt file into records. */
export function parseSlt(file: string, text: string): SltRecord[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  let comments: string[] = [];
  while (i < lines.length) {
    const header = lines[i] ?? '';
    if (isBlank(header)) comments = [];
    if (isBlank(header) || header.startsWith('#')) {
      if (header.startsWith('#')) comments.push(header);
      i++;
      continue;
    }
    const knownBug = comments.some((c) => c.includes('KNOWN BUG'));
    comments = [];
    const at = i;
    const m = /^(statement\s+ok|statement\s+error|query|explain)\b\s*(.*)$/.exec(header);
    if (!m) throw new SltSyntaxError(file, at, `expected 'statement ok', 'statement error <regex>', 'query' or 'explain', found '${header}'`);
    const word = (m[1] ?? '').replace(/\s+/g, ' ');
    const arg = (m[2] ?? '').trim();
    i++;
    const sql: string[] = [];
    while (!isBlank(lines[i]) && lines[i] !== '----') sql.push(lines[i++] ?? '');
    if (sql.length === 0) throw new SltSyntaxError(file, at, `'${word}' has no SQL`);
    const sqlText = sql.join('\n');
    if (word === 'statement ok' || word === 'statement error') {
      if (lines[i] === '----') throw new SltSyntaxError(file, i, `'${word}' takes no expected block; use 'query'`);
      if (word === 'statement ok') {
        if (arg !== '') throw new SltSyntaxError(file, at, `'statement ok' takes no argument, found '${arg}'`);
        records.push({ kind: 'statement_ok', line: at, sql: sqlText });
      } else {
        let pattern: RegExp;
        try {
          pattern = new RegExp(arg === '' ? '.' : arg);
        } catch (e) {
          throw new SltSyntaxError(file, at, `bad regex '${arg}': ${(e as Error).message}`);
        }
        records.push({ kind: 'statement_error', line: at, sql: sqlText, pattern });
      }
      continue;
    }
    if (word === 'query' && arg !== '' && arg !== 'rowsort') throw new SltSyntaxError(file, at, `'query' takes only 'rowsort', found '${arg}'`);
    if (word === 'explain' && arg !== '') throw new SltSyntaxError(file, at, `'explain' takes no argument, found '${arg}'`);
    const blockStart = i;
    let expected: string[] | undefined;
    if (lines[i] === '----') {
      i++;
      expected = [];
      while (!isBlank(lines[i])) expected.push(lines[i++] ?? '');
    }
    records.push({ kind: word === 'query' ? 'query' : 'explain', line: at, sql: sqlText, rowsort: arg === 'rowsort', expected, knownBug, blockStart, blockEnd: i });
  }
  return records;
}

/** The file text with the expected block of each record in `actual` (by header line) replaced. */
export function rewriteSlt(text: string, records: readonly SltRecord[], actual: ReadonlyMap<number, readonly string[]>): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const targets = records.filter((r) => (r.kind === 'query' || r.kind === 'explain') && actual.has(r.line));
  for (const r of [...targets].reverse()) {
    if (r.kind !== 'query' && r.kind !== 'explain') continue;
    lines.splice(r.blockStart, r.blockEnd - r.blockStart, '----', ...(actual.get(r.line) ?? []));
  }
  return lines.join('\n');
}
