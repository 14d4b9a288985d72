// sqllogictest-style runner over test/slt/*.slt: each file runs its records in order in one Session
// over its own fresh demo lakehouse. Format (details and examples in README.md):
//
//   # comment                        (only between records)
//   statement ok                     the SQL runs without error
//   statement error <regex>          it fails; <regex> matches "CODE: message" of the first diagnostic
//   query [rowsort]                  run mode; the result, after ----, one line per row:
//   explain                          explain mode (EXPLAIN of the last statement); the text after ----
//
// Records end at a blank line; SQL may span several lines (up to ---- or the blank line). A row
// result prints its column names first, then one line per row, cells joined by ' | ' (NULL for null,
// (empty) for '', \n for a newline, JSON for lists and structs); `rowsort` sorts the rows, not the
// header. An ok outcome prints its message. Trailing spaces are ignored. `__LAKEHOUSE__` in SQL is
// the lakehouse folder, and that folder in results prints as `__LAKEHOUSE__`.
// BLESS=1 rewrites every expected block with what the statement produced (read the diff by eye!),
// except for records whose comment lines just above say KNOWN BUG: their hand-written expected
// block is the correct result, which the product does not produce yet.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/diag/diagnostic.ts';
import { renderDiagnostics } from '../../src/diag/render.ts';
import type { Source } from '../../src/diag/span.ts';
import { Session } from '../../src/engine/session.ts';
import type { Outcome } from '../../src/engine/outcome.ts';
import type { Value } from '../../src/ir/values.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { parseSlt, rewriteSlt, type SltRecord } from './slt-file.ts';

const DIR = dirname(fileURLToPath(import.meta.url));
const BLESS = process.env['BLESS'] === '1';
const PLACEHOLDER = '__LAKEHOUSE__';

/** One result cell as the expected blocks write it. */
function cell(v: Value | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s === '' ? '(empty)' : s.replace(/\r?\n/g, '\\n');
}

/** The lines an outcome prints (before sorting); trailing spaces dropped. */
function outcomeLines(o: Outcome): string[] {
  const lines =
    o.kind === 'rows' ? [o.columns.map((c) => c.name).join(' | '), ...o.rows.map((r) => r.map(cell).join(' | '))]
    : o.kind === 'ok' ? [o.message]
    : o.text.split('\n');
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Header first, then the rows sorted (rowsort). */
function sortRows(lines: readonly string[]): string[] {
  const [header, ...rows] = lines;
  return header === undefined ? [] : [header, ...[...rows].sort()];
}

function describeError(e: unknown, source: Source): string {
  if (e instanceof UserError) return renderDiagnostics(e.diagnostics, source);
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.slt')).sort();

for (const file of files) {
  const text = readFileSync(join(DIR, file), 'utf8');
  const records = parseSlt(file, text);

  describe(file, () => {
    let lakehouse = '';
    let session: Session | undefined;
    const blessed = new Map<number, readonly string[]>();

    beforeAll(async () => {
      lakehouse = await freshLakehouse({ demo: true });
      session = await Session.open({ lakehouse });
    });

    afterAll(async () => {
      await session?.close();
      if (lakehouse) removeLakehouse(lakehouse);
      if (BLESS && blessed.size > 0) writeFileSync(join(DIR, file), rewriteSlt(text, records, blessed));
    });

    const source = (r: SltRecord): Source => ({ name: `${file}#${r.line + 2}`, text: r.sql.replaceAll(PLACEHOLDER, lakehouse) });
    const run = async (r: SltRecord, mode: 'run' | 'explain'): Promise<Outcome> => {
      if (!session) throw new Error('the session did not open');
      return session.runScript(source(r), mode);
    };

    for (const r of records) {
      const title = `line ${r.line + 1}: ${r.kind.replace('_', ' ')} ${r.sql.split('\n')[0] ?? ''}`;
      it(title, async () => {
        switch (r.kind) {
          case 'statement_ok': {
            try {
              await run(r, 'run');
            } catch (e) {
              expect.fail(`expected the statement to succeed, it failed:\n${describeError(e, source(r))}`);
            }
            return;
          }
          case 'statement_error': {
            let outcome: Outcome;
            try {
              outcome = await run(r, 'run');
            } catch (e) {
              if (!(e instanceof UserError)) expect.fail(`expected a user error, got an internal one:\n${describeError(e, source(r))}`);
              const first = e.diagnostics[0];
              const got = first ? `${first.code}: ${first.message}` : '(no diagnostics)';
              expect(got, `first diagnostic does not match /${r.pattern.source}/`).toMatch(r.pattern);
              return;
            }
            expect.fail(`expected an error matching /${r.pattern.source}/, the statement succeeded:\n${outcomeLines(outcome).join('\n')}`);
            return;
          }
          case 'query':
          case 'explain': {
            let outcome: Outcome;
            try {
              outcome = await run(r, r.kind === 'query' ? 'run' : 'explain');
            } catch (e) {
              expect.fail(`expected a result, the statement failed:\n${describeError(e, source(r))}`);
            }
            let actual = outcomeLines(outcome).map((l) => l.replaceAll(lakehouse, PLACEHOLDER));
            if (r.kind === 'query' && r.rowsort && outcome.kind === 'rows') actual = sortRows(actual);
            if (BLESS && !r.knownBug) {
              blessed.set(r.line, actual);
              return;
            }
            if (r.expected === undefined) expect.fail('the record has no expected block (----); run with BLESS=1 to write it');
            const expected = r.expected.map((l) => l.trimEnd());
            expect(actual.join('\n')).toBe((r.kind === 'query' && r.rowsort && outcome.kind === 'rows' ? sortRows(expected) : expected).join('\n'));
            return;
          }
        }
      });
    }
  });
}
