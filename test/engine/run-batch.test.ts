// Session.runBatch: several scripts (jobs of different tenants under `agentlake serve`) run as one
// batch. Their model statements execute as one DAG, so identical deterministic calls run once and the
// merged-away statement's provenance names the run and action that computed them; every script still
// gets exactly the rows it gets alone. Each script runs under its own settings (its SETs end with
// it; different settings never merge), and one script's failure or cancellation is its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { BatchScript, ScriptResult } from '../../src/engine/session-options.ts';
import type { Outcome } from '../../src/engine/outcome.ts';
import { openSession } from './support.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  // No response cache: every saving below comes from merging within the batch.
  ({ session, dispose } = await openSession({ cache: false }));
});
afterAll(() => dispose());

/** q1_social over `limit` symbols from `offset` in key order (17 deterministic calls per symbol). */
const q1 = (offset: number, limit: number): string =>
  `SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${limit} OFFSET ${offset}) s, q1_social(s.symbol) t ORDER BY s.symbol`;
const PER_SYMBOL = 17;

const script = (text: string, more: Partial<BatchScript> = {}): BatchScript => ({ source: { name: 'job.sql', text }, ...more });

function rowsOf(r: ScriptResult | undefined): Extract<Outcome, { kind: 'rows' }> {
  if (!r?.ok) throw new Error(`expected success, got ${String(r?.error)}`);
  if (r.outcome.kind !== 'rows') throw new Error(`expected rows, got ${r.outcome.kind}`);
  return r.outcome;
}

describe('Session.runBatch', () => {
  it('merges two jobs: the same rows as alone, shared calls executed once, sharing in provenance', async () => {
    const aloneA = rowsOf((await session.runBatch([script(q1(0, 3))]))[0]);
    const aloneB = rowsOf((await session.runBatch([script(q1(1, 3))]))[0]);
    expect(aloneA.stats?.calls_executed).toBe(3 * PER_SYMBOL);

    const progress: number[] = [];
    const out = await session.runBatch([
      script(q1(0, 3), { job: { id: 'job-a', tenant: 'acme' } }),
      script(q1(1, 3), { job: { id: 'job-b', tenant: 'globex' }, onProgress: (p) => progress.push(p.done) }),
    ]);
    const a = rowsOf(out[0]);
    const b = rowsOf(out[1]);
    expect(a.rows).toEqual(aloneA.rows);
    expect(b.rows).toEqual(aloneB.rows);
    expect(a.stats?.calls_executed).toBe(3 * PER_SYMBOL);
    expect(b.stats?.calls_executed).toBe(PER_SYMBOL);
    expect(b.stats?.dedup_saved).toBe(2 * PER_SYMBOL);
    expect(progress.at(-1)).toBe(PER_SYMBOL);
    // Together is faster than one after the other, on the same simulated GPU.
    const apart = (aloneA.stats?.simulated_makespan_seconds ?? 0) + (aloneB.stats?.simulated_makespan_seconds ?? 0);
    expect(a.stats?.simulated_makespan_seconds).toBeLessThan(apart);

    const db = session.lakehouse.db;
    const runs = await db.all("SELECT run_id, job_id, tenant FROM agentlake_runs WHERE job_id IN ('job-a', 'job-b') ORDER BY job_id");
    expect(runs.map((r) => [r['job_id'], r['tenant']])).toEqual([['job-a', 'acme'], ['job-b', 'globex']]);
    const [runA, runB] = runs.map((r) => String(r['run_id']));
    const shared = await db.all("SELECT action, shared_with, output_ref, tenant FROM agentlake_provenance WHERE run_id = $1 AND kind = 'llm' AND shared_with IS NOT NULL ORDER BY action", [runB ?? '']);
    expect(shared).toHaveLength(2 * PER_SYMBOL);
    for (const r of shared) {
      expect(String(r['shared_with'])).toMatch(new RegExp(`^${runA}/`));
      expect(r['output_ref']).toBe(r['shared_with']);
      expect(r['tenant']).toBe('globex');
    }
    // Each pointer names a call job A's run executed, and job A's action ids are its own (no batch prefix).
    const executed = new Set((await db.all("SELECT output_ref FROM agentlake_provenance WHERE run_id = $1 AND kind = 'llm' AND shared_with IS NULL", [runA ?? ''])).map((r) => String(r['output_ref'])));
    expect(executed.size).toBe(3 * PER_SYMBOL);
    for (const r of shared) expect(executed.has(String(r['shared_with']))).toBe(true);
    const ids = await db.all('SELECT action FROM agentlake_provenance WHERE run_id IN ($1, $2)', [runA ?? '', runB ?? '']);
    for (const r of ids) expect(String(r['action'])).not.toMatch(/^j\d+\//);
  });

  it('runs each script under its own settings: different settings never merge, SETs end with the script', async () => {
    const before = session.current;
    const out = await session.runBatch([
      script(`SET agentlake.optimizer = off; ${q1(8, 2)}`),
      script(q1(8, 2), { settings: { cache: true } }),
      script('SELECT 42 AS answer'),
      script("SELECT current_setting('threads') IS NOT NULL AS ok"),
    ]);
    const off = rowsOf(out[0]);
    const cached = rowsOf(out[1]);
    expect(off.rows).toEqual(cached.rows);
    // Not merged (different settings): both executed all of their calls.
    expect([off.stats?.calls_executed, cached.stats?.calls_executed]).toEqual([2 * PER_SYMBOL, 2 * PER_SYMBOL]);
    expect(session.current).toEqual(before);
    // The session's own optimizer setting was never changed by the first script.
    expect(session.current.optimizer).toBe(true);
    expect(rowsOf(out[2]).rows).toEqual([[42]]);
    expect(rowsOf(out[3]).rows).toEqual([[true]]);
    // The cache-on script stored its answers: run again with the cache, they are hits.
    const again = rowsOf((await session.runBatch([script(q1(8, 2), { settings: { cache: true } })]))[0]);
    expect(again.stats?.response_cache_hits).toBe(2 * PER_SYMBOL);
  });

  it('a job cancelled mid-batch starts no more of its own calls; the other job gets its rows', async () => {
    const alone = rowsOf((await session.runBatch([script(q1(20, 2))]))[0]);
    const requests = (): number => session.modelRuntime().cluster.metrics().reduce((n, m) => n + m.requestSuccess.stop + m.requestSuccess.length, 0);
    const before = requests();
    const ctrl = new AbortController();
    const out = await session.runBatch([
      script(q1(20, 2)),
      script(q1(22, 6), { signal: ctrl.signal, onProgress: (p) => (p.done >= 3 ? ctrl.abort(new Error('stopped by its owner')) : undefined) }),
    ]);
    expect(rowsOf(out[0]).rows).toEqual(alone.rows);
    expect(out[1]?.ok).toBe(false);
    expect(String(out[1]?.ok === false ? out[1].error : '')).toMatch(/stopped by its owner/);
    // The first job's 2 × 17 calls all ran; of the cancelled job's 6 × 17, only those already sent did.
    const sent = requests() - before;
    expect(sent).toBeGreaterThanOrEqual(2 * PER_SYMBOL);
    expect(sent).toBeLessThan(2 * PER_SYMBOL + 6 * PER_SYMBOL);
    // It wrote no run: a cancelled statement leaves no provenance.
    const runs = await session.lakehouse.db.all("SELECT count(*) AS n FROM agentlake_runs WHERE statement LIKE '%OFFSET 22%'");
    expect(Number(runs[0]?.['n'])).toBe(0);
  });

  it("one script's error or cancellation is its own", async () => {
    const cancelled = new AbortController();
    cancelled.abort(new Error('cancelled by the test'));
    const out = await session.runBatch([
      script(q1(12, 1)),
      script('SELECT nope FROM symbols'),
      script('SELEC 1'),
      script(q1(12, 1), { signal: cancelled.signal }),
      script(q1(13, 1)),
    ]);
    expect(rowsOf(out[0]).rows).toHaveLength(1);
    expect(out[1]?.ok).toBe(false);
    expect(out[2]?.ok).toBe(false);
    expect(out[3]?.ok).toBe(false);
    expect(String(out[3]?.ok === false ? out[3].error : '')).toMatch(/cancel|abort/i);
    expect(rowsOf(out[4]).rows).toHaveLength(1);
    expect(out.map((r) => r.ok)).toEqual([true, false, false, false, true]);
  });
});
