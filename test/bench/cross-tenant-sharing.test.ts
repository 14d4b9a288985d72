// The bench's cross-tenant case shares real work: Q1-Social and Q2-Text (bench/workloads/q2_text.sql)
// run the same four retrievals and analyst reports, so in ONE statement over the same symbols
// (bench/workloads.ts togetherStatement) the dedup runs each shared report once: 4 model calls per
// symbol fewer than apart, every row as apart. Q2-Trading (with its chart VLM) shares the same four.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANTS, togetherStatement, workloadStatement } from '../../bench/workloads.ts';
import type { Session } from '../../src/engine/session.ts';
import type { RunStats } from '../../src/ir/run-stats.ts';
import { expectNoErrors, openSession, records, runModel } from '../engine/support.ts';

const SYMBOLS = 3;
/** The analyst reports both workflows compute, one call each per symbol. */
const SHARED_STEPS = ['fundamentals_report', 'market_report', 'news_report', 'sentiment_report'];

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  // No response cache: every saving below is the optimizer's in-statement dedup.
  ({ session, dispose } = await openSession({ cache: false }));
  const text = readFileSync(new URL('../../bench/workloads/q2_text.sql', import.meta.url), 'utf8');
  await session.runScript({ name: 'bench/workloads/q2_text.sql', text }, 'run');
});
afterAll(() => dispose());

/** The steps (`workflow.step`) of the last run's model calls that another action of the run computed. */
async function sharedSteps(): Promise<string[]> {
  const db = session.lakehouse.db;
  const run = await db.all('SELECT run_id FROM agentlake_runs ORDER BY rowid DESC LIMIT 1');
  const rows = await db.all(
    "SELECT step FROM agentlake_provenance WHERE run_id = $1 AND kind IN ('llm', 'vlm') AND shared_with IS NOT NULL ORDER BY step",
    [String(run[0]?.['run_id'])],
  );
  return rows.map((r) => String(r['step']));
}

/** Calls executed, asked and merged of one run, for the assertions below. */
const calls = (s: RunStats): { total: number; executed: number; saved: number } => ({ total: s.calls_total, executed: s.calls_executed, saved: s.dedup_saved });

describe('Q1-Social and the Q2 workflows share their retrieval and analysis stages', () => {
  it('Q1 + Q2-Text in one statement (the bench cross-tenant SQL): 4 calls per symbol fewer, the same rows', async () => {
    const q1 = await runModel(session, workloadStatement(TENANTS.q1, SYMBOLS));
    const q2 = await runModel(session, workloadStatement(TENANTS.q2Text, SYMBOLS));
    expectNoErrors(q1);
    expectNoErrors(q2);
    // Alone, neither merges anything (17 and 16 model calls per symbol, catalog/README.md).
    expect(calls(q1.stats)).toEqual({ total: 17 * SYMBOLS, executed: 17 * SYMBOLS, saved: 0 });
    expect(calls(q2.stats)).toEqual({ total: 16 * SYMBOLS, executed: 16 * SYMBOLS, saved: 0 });

    const together = await runModel(session, togetherStatement(SYMBOLS));
    expect(together.stats.errors).toBe(0);
    const shared = SHARED_STEPS.length * SYMBOLS;
    expect(calls(together.stats)).toEqual({ total: q1.stats.calls_total + q2.stats.calls_total, executed: q1.stats.calls_executed + q2.stats.calls_executed - shared, saved: shared });
    // The merged calls are exactly the four analyst reports of every symbol.
    expect(await sharedSteps()).toEqual(SHARED_STEPS.flatMap((s) => Array<string>(SYMBOLS).fill(`q2_text.${s}`)));

    // Each tenant's rows are its separate run's (the statement keeps one text column of each).
    const rows = records(together);
    const of = (tenant: string): [unknown, unknown][] => rows.filter((r) => r['tenant'] === tenant).map((r) => [r['symbol'], r['text']]);
    expect(of('q1_social')).toEqual(records(q1).map((r) => [r['symbol'], r['summary']]));
    expect(of('q2_text')).toEqual(records(q2).map((r) => [r['symbol'], r['rationale']]));
  });

  it('every column of both workflows equals its separate run when they run together', async () => {
    const inputs = `(SELECT symbol FROM symbols ORDER BY symbol LIMIT ${SYMBOLS}) s`;
    const q1 = await runModel(session, `SELECT s.symbol, t.* FROM ${inputs}, q1_social(s.symbol) t ORDER BY s.symbol`);
    const q2 = await runModel(session, `SELECT s.symbol, t.* FROM ${inputs}, q2_text(s.symbol) t ORDER BY s.symbol`);
    const together = await runModel(
      session,
      [
        `SELECT 1 AS k, s.symbol, t.outlook AS a, t.summary AS b, NULL::DOUBLE AS c, t._error AS e FROM ${inputs}, q1_social(s.symbol) t`,
        `UNION ALL`,
        `SELECT 2 AS k, s.symbol, t.action AS a, t.rationale AS b, t.confidence AS c, t._error AS e FROM ${inputs}, q2_text(s.symbol) t`,
        `ORDER BY k, symbol`,
      ].join('\n'),
    );
    expect(together.stats.dedup_saved).toBe(SHARED_STEPS.length * SYMBOLS);
    const got = records(together);
    expect(got.filter((r) => r['k'] === 1).map((r) => [r['symbol'], r['a'], r['b'], r['e']])).toEqual(q1.rows.map((r) => [r[0], r[1], r[2], r[3]]));
    expect(got.filter((r) => r['k'] === 2).map((r) => [r['symbol'], r['a'], r['c'], r['b'], r['e']])).toEqual(q2.rows.map((r) => [r[0], r[1], r[2], r[3], r[4]]));
  });

  it('Q1 + Q2-Trading in one statement: the same four reports per symbol merge, the chart VLM calls stay', async () => {
    const inputs = `(SELECT symbol FROM symbols ORDER BY symbol LIMIT ${SYMBOLS}) s`;
    const q2 = await runModel(session, `SELECT s.symbol, t.* FROM ${inputs}, q2_trading(s.symbol) t ORDER BY s.symbol`);
    expect(calls(q2.stats)).toEqual({ total: 22 * SYMBOLS, executed: 22 * SYMBOLS, saved: 0 });
    const together = await runModel(
      session,
      [
        `SELECT s.symbol, t.summary AS text FROM ${inputs}, q1_social(s.symbol) t`,
        `UNION ALL`,
        `SELECT s.symbol, t.rationale AS text FROM ${inputs}, q2_trading(s.symbol) t`,
      ].join('\n'),
    );
    expect(together.stats.errors).toBe(0);
    const shared = SHARED_STEPS.length * SYMBOLS;
    expect(calls(together.stats)).toEqual({ total: (17 + 22) * SYMBOLS, executed: (17 + 22) * SYMBOLS - shared, saved: shared });
    expect(await sharedSteps()).toEqual(SHARED_STEPS.flatMap((s) => Array<string>(SYMBOLS).fill(`q2_trading.${s}`)));
  });
});
