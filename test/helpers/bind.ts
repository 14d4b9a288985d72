// Binding helpers for the bind tests: a small session (no demo data, no built-in catalog) set up by a
// script, queries bound through the real binder (DuckDB parses them), and user errors read back as
// diagnostics with the line, column and text their span points at.
import { expect } from 'vitest';
import type { Diagnostic } from '../../src/diag/diagnostic.ts';
import { UserError } from '../../src/diag/diagnostic.ts';
import { lineCol } from '../../src/diag/span.ts';
import { Session } from '../../src/engine/session.ts';
import type { SqlStatement, Statement } from '../../src/sql/ast.ts';
import { parseScript } from '../../src/sql/parse.ts';
import { freshLakehouse, removeLakehouse } from './lakehouse.ts';

/** A session over an empty lakehouse after running `setup`, and its disposal. */
export async function setupSession(setup: string): Promise<{ session: Session; dispose: () => Promise<void> }> {
  const dir = await freshLakehouse();
  const session = await Session.open({ lakehouse: dir, bootstrap: false });
  try {
    await session.runScript({ name: 'setup.sql', text: setup }, 'run');
  } catch (e) {
    await session.close();
    removeLakehouse(dir);
    throw e;
  }
  return {
    session,
    dispose: async () => {
      await session.close();
      removeLakehouse(dir);
    },
  };
}

/** The one statement of `text`, parsed without errors. */
export function parseOne(text: string): Statement {
  const parsed = parseScript({ name: 'q.sql', text });
  expect(parsed.diagnostics).toEqual([]);
  const stmt = parsed.script.statements.at(-1);
  if (!stmt) throw new Error('no statement');
  return stmt;
}

/** The one SQL statement of `text`. */
export function parseSql(text: string): SqlStatement {
  const stmt = parseOne(text);
  if (stmt.kind !== 'sql') throw new Error(`expected a SQL statement, got ${stmt.kind}`);
  return stmt;
}

/** A diagnostic with where it points: 1-based line and column, and the text under its span. */
export interface Located extends Diagnostic {
  readonly line: number;
  readonly col: number;
  readonly at: string;
}

export function locate(text: string, d: Diagnostic): Located {
  if (!d.span) throw new Error(`diagnostic ${d.code} has no span`);
  const { line, col } = lineCol(text, d.span.start);
  return { ...d, line, col, at: text.slice(d.span.start, d.span.end) };
}

/** The diagnostics of the UserError `fn` throws (fails the test when it throws nothing or something else). */
export async function userErrors(text: string, fn: () => Promise<unknown>): Promise<Located[]> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof UserError)) throw new Error(`expected a UserError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  return caught.diagnostics.map((d) => locate(text, d));
}
