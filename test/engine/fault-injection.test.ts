// Fault injection on the in-process simulated cluster: 500/429 errors are retried, calls that still
// fail become per-row `_error` values (the query completes with every row); malformed JSON on a
// RETURNS step is retried once and otherwise becomes an E0302 error; a seed reproduces a faulty run
// exactly.
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { FaultOptions } from '../../src/sim/faults.ts';
import type { Value } from '../../src/ir/values.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { openSession, records, runModel, stableStats, type RowsResult } from './support.ts';

const INPUTS = 5;
const Q3 = `SELECT x.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${INPUTS}) x, q3_imagegen(x.symbol) t ORDER BY x.symbol`;
const Q3_OUTPUTS = ['approved', 'caption'];

/** A plain step and a RETURNS step over 12 inputs (no demo data). */
const SCORED = `
CREATE TABLE reviews AS SELECT i AS id, 'review text number ' || i AS body FROM range(12) t(i);
CREATE WORKFLOW scored(id BIGINT) AS (
  body := SQL (SELECT body FROM reviews WHERE id = :id),
  gist := LLM qwen3_8b PROMPT 'Gist of:\\n{{body}}' WITH (max_tokens 16),
  rating := LLM qwen3_8b PROMPT 'Review {{id}}: {{gist}}\\nRate it.'
    RETURNS (stars INTEGER CHECK (stars BETWEEN 1 AND 5), positive BOOLEAN) WITH (max_tokens 48)
) RETURN rating;
`;
const SCORED_QUERY = 'SELECT r.id, s.stars, s.positive, s._error FROM reviews r, scored(r.id) s ORDER BY r.id';

/** Every row either has `_error` and NULL outputs, or no `_error` and every output set. */
function expectRowsConsistent(r: RowsResult, outputs: readonly string[]): { failed: Record<string, Value>[]; ok: Record<string, Value>[] } {
  const rows = records(r);
  const failed = rows.filter((x) => x['_error'] !== null);
  const ok = rows.filter((x) => x['_error'] === null);
  for (const x of failed) for (const o of outputs) expect(x[o], `${o} of a failed row`).toBeNull();
  for (const x of ok) for (const o of outputs) expect(x[o], `${o} of a good row`).not.toBeNull();
  return { failed, ok };
}

async function okModelCalls(session: Session): Promise<number> {
  const r = await session.lakehouse.db.query("SELECT count(*) FROM agentlake_provenance WHERE model IS NOT NULL AND status = 'ok'");
  return Number(r.rows[0]?.[0]);
}

async function provenanceErrors(session: Session, step: string): Promise<number> {
  const r = await session.lakehouse.db.query("SELECT count(*) FROM agentlake_provenance WHERE step = $1 AND status = 'error'", [step]);
  return Number(r.rows[0]?.[0]);
}

describe('fault injection', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function faulty(faults: FaultOptions, opts: { demo?: boolean; cache?: boolean } = {}): Promise<Session> {
    const { session, dispose } = await openSession({ faults, cache: opts.cache ?? false, ...(opts.demo === false ? { demo: false } : {}) });
    cleanups.push(dispose);
    return session;
  }

  it('errorRate 0.3 (500s and 429s): the query completes with every row; retries absorb the faults', async () => {
    const session = await faulty({ seed: 1, errorRate: 0.3 });
    const r = await runModel(session, Q3);
    expect(records(r).map((x) => x['symbol'])).toHaveLength(INPUTS);
    const { failed } = expectRowsConsistent(r, Q3_OUTPUTS);
    const counts = session.modelRuntime().cluster.faults.counts();
    expect(counts.errors500).toBeGreaterThan(0);
    expect(counts.errors429).toBeGreaterThan(0);
    // One draw per attempt: every answered call once, plus every 500/429 attempt (each was retried).
    expect(counts.draws).toBe((await okModelCalls(session)) + counts.errors500 + counts.errors429);
    expect(failed.length).toBe(await provenanceErrors(session, 'q3_imagegen.verdict'));
  });

  it('errorRate 0.6: calls that fail after the retries carry `_error` (429/500), the other rows keep their values', async () => {
    const session = await faulty({ seed: 3, errorRate: 0.6 });
    const r = await runModel(session, Q3);
    expect(r.rows).toHaveLength(INPUTS);
    const { failed, ok } = expectRowsConsistent(r, Q3_OUTPUTS);
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    for (const x of failed) expect(String(x['_error'])).toMatch(/^E030[13]: .*HTTP (429|500)/);
    const counts = session.modelRuntime().cluster.faults.counts();
    expect(counts.draws).toBe((await okModelCalls(session)) + counts.errors500 + counts.errors429);
    expect(failed.length).toBe(await provenanceErrors(session, 'q3_imagegen.verdict'));
    // The good rows are exactly what a fault-free run gives.
    const clean = await runModel(await faulty({}), Q3);
    const cleanBySymbol = new Map(records(clean).map((x) => [x['symbol'], x]));
    for (const x of ok) expect(x).toEqual(cleanBySymbol.get(x['symbol']));
    // stats.errors counts every failed action, as provenance does.
    const all = await session.lakehouse.db.query("SELECT count(*) FROM agentlake_provenance WHERE status = 'error'");
    expect(r.stats.errors).toBe(Number(all.rows[0]?.[0]));
  });

  it('malformedRate 0.5 on a RETURNS step: invalid JSON is retried once, what still fails is an E0302 `_error`', async () => {
    const session = await faulty({ seed: 5, malformedRate: 0.5 }, { demo: false });
    await session.runScript({ name: 'setup.sql', text: SCORED }, 'run');
    const r = await runModel(session, SCORED_QUERY);
    expect(r.rows).toHaveLength(12);
    const { failed, ok } = expectRowsConsistent(r, ['stars', 'positive']);
    for (const x of failed) expect(String(x['_error'])).toMatch(/^E0302: invalid structured output after one retry/);
    for (const x of ok) {
      expect(Number.isInteger(x['stars'])).toBe(true);
      expect(x['stars']).toBeGreaterThanOrEqual(1);
      expect(x['stars']).toBeLessThanOrEqual(5);
      expect(typeof x['positive']).toBe('boolean');
    }
    // Only the 12 RETURNS calls ask for JSON. Each malformed first answer costs one retry (one more
    // draw); a row fails when its retry is malformed too. So draws = 24 + retries and
    // malformed = retries + failures.
    const c = session.modelRuntime().cluster.faults.counts();
    const retries = c.draws - 24;
    expect(retries).toBeGreaterThan(0);
    expect(c.malformed - retries).toBe(failed.length);
    expect(failed.length).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(failed.length); // some retries succeeded
    expect(r.stats.errors).toBe(failed.length);
  });

  it('the same seed gives the same result twice (rows, stats and faults)', async () => {
    const faults: FaultOptions = { seed: 42, errorRate: 0.3, malformedRate: 0.3, spikeRate: 0.2 };
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const session = await faulty(faults);
      const r = await runModel(session, Q3.replace(`LIMIT ${INPUTS}`, 'LIMIT 3'));
      runs.push({ rows: r.rows, stats: stableStats(r.stats), faults: session.modelRuntime().cluster.faults.counts() });
    }
    expect(runs[0]?.faults.draws).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
  });

  // Regression test (fixed bug): the response cache stores a RETURNS call's answer before it is validated
  // (ResponseCache.call stores every deterministic result; callModel validates afterwards), so
  // malformed JSON is cached. Rerunning the statement in the same lakehouse with no faults at all
  // answers the same calls from the cache and reproduces the E0302 errors forever (calls_executed 0).
  // Expected: only answers that pass validation are cached, so the fault-free rerun has no `_error`.
  it('malformed answers are not cached: a fault-free rerun in the same lakehouse has no errors', async () => {
    const dir = await freshLakehouse({ demo: false });
    cleanups.push(() => removeLakehouse(dir));
    const a = await openSession({ dir, faults: { seed: 5, malformedRate: 0.5 } });
    await a.session.runScript({ name: 'setup.sql', text: SCORED }, 'run');
    const bad = await runModel(a.session, SCORED_QUERY);
    expect(records(bad).filter((x) => x['_error'] !== null).length).toBeGreaterThan(0);
    await a.dispose();
    const b = await openSession({ dir });
    cleanups.push(b.dispose);
    const rerun = await runModel(b.session, SCORED_QUERY);
    expect(records(rerun).filter((x) => x['_error'] !== null)).toEqual([]);
  });

  // Regression test (fixed bug): calls skipped because an input already failed (E0301 "an input failed") are counted as
  // executed: calls_executed = calls_total - hits - dedup, although those calls never reached a
  // server. With seed 3 / errorRate 0.6 on q3_imagegen over 5 symbols every one of the 35 calls is
  // reported executed although several were never sent. Expected: calls_executed excludes them.
  it('calls_executed does not count calls skipped because their input failed', async () => {
    const session = await faulty({ seed: 3, errorRate: 0.6 });
    const r = await runModel(session, Q3);
    const skipped = await session.lakehouse.db.query("SELECT count(*) FROM agentlake_provenance WHERE model IS NOT NULL AND error LIKE 'E0301%'");
    const n = Number(skipped.rows[0]?.[0]);
    expect(n).toBeGreaterThan(0);
    expect(r.stats.calls_executed).toBe(r.stats.calls_total - r.stats.response_cache_hits - r.stats.dedup_saved - n);
  });
});
