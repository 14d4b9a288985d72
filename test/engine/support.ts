// Shared helpers of the engine tests: sessions over fresh lakehouses, running a statement that must
// return rows, reading results by column name, and a loopback proxy that records the Authorization
// headers a client sends (to prove which API key reached a server).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { Session } from '../../src/engine/session.ts';
import type { SessionOptions } from '../../src/engine/session-options.ts';
import type { Outcome } from '../../src/engine/outcome.ts';
import type { RunStats } from '../../src/ir/run-stats.ts';
import type { Column, Value } from '../../src/ir/values.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';

/** A rows outcome with its run figures. */
export interface RowsResult {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Value[])[];
  readonly stats: RunStats | undefined;
}

/** A session over a fresh lakehouse (demo tables linked in unless `demo: false`), and its disposal. */
export async function openSession(opts: Omit<SessionOptions, 'lakehouse'> & { demo?: boolean; dir?: string } = {}): Promise<{ session: Session; dir: string; dispose: () => Promise<void> }> {
  const { demo, dir: given, ...rest } = opts;
  const dir = given ?? (await freshLakehouse({ demo: demo !== false }));
  const session = await Session.open({ lakehouse: dir, ...rest });
  return {
    session,
    dir,
    dispose: async () => {
      await session.close();
      if (given === undefined) removeLakehouse(dir);
    },
  };
}

/** Runs a script and expects its last statement to return rows. */
export async function runRows(session: Session, text: string, opts: { signal?: AbortSignal } = {}): Promise<RowsResult> {
  const out: Outcome = await session.runScript({ name: 'test.sql', text }, 'run', opts);
  if (out.kind !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(out)}`);
  return { columns: out.columns, rows: out.rows, stats: out.stats };
}

/** Runs a script whose last statement calls models: rows plus the (required) stats. */
export async function runModel(session: Session, text: string, opts: { signal?: AbortSignal } = {}): Promise<RowsResult & { stats: RunStats }> {
  const r = await runRows(session, text, opts);
  if (!r.stats) throw new Error('expected run stats (the statement should have called models)');
  return { ...r, stats: r.stats };
}

/** Rows as objects keyed by column name. */
export function records(r: Pick<RowsResult, 'columns' | 'rows'>): Record<string, Value>[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i] ?? null])));
}

/** name → DuckDB type of the result columns. */
export function columnTypes(r: Pick<RowsResult, 'columns'>): Record<string, string> {
  return Object.fromEntries(r.columns.map((c) => [c.name, c.type]));
}

/** Stats without the wall-clock figures, the only ones that legitimately differ between identical runs. */
export function stableStats(s: RunStats): Omit<RunStats, 'wall_seconds' | 'optimizer_wall_seconds' | 'governance_wall_seconds'> {
  const { wall_seconds: _wall, optimizer_wall_seconds: _opt, governance_wall_seconds: _gov, ...rest } = s;
  return rest;
}

/** Every result row has `_error` NULL. */
export function expectNoErrors(r: Pick<RowsResult, 'columns' | 'rows'>): void {
  const errors = records(r).map((x) => x['_error']).filter((e) => e !== null);
  expect(errors).toEqual([]);
}

/** An HTTP proxy in front of `target` (an origin) that records each request's Authorization header. */
export async function recordingProxy(target: string): Promise<{ url: string; authorizations: string[]; close: () => Promise<void> }> {
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(String(req.headers.authorization ?? ''));
    const up = request(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits until `check` is true, polling every 10 ms, up to `timeoutMs`; returns the last result. */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}
