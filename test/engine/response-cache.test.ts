// The response cache (table agentlake_response_cache): a deterministic statement rerun in the same
// lakehouse — same session or a new one — is answered entirely from the cache with identical rows;
// `cache: false` never hits nor stores; a step WITH (temperature 0.7) and no seed is never cached,
// while the same step with a seed is.
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';
import { openSession, records, runModel, runRows } from './support.ts';

const Q3 = "SELECT x.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2) x, q3_imagegen(x.symbol) t ORDER BY x.symbol";

const WARM = `
CREATE OR REPLACE WORKFLOW brainstorm(symbol VARCHAR) AS (
  idea := LLM qwen3_8b PROMPT 'Brainstorm a slogan for {{symbol}}.' WITH (temperature 0.7, max_tokens 24),
  seeded := LLM qwen3_8b PROMPT 'Brainstorm a motto for {{symbol}}.' WITH (temperature 0.7, seed 11, max_tokens 24),
  pick := LLM qwen3_8b PROMPT 'Slogan: {{idea}}\\nMotto: {{seeded}}\\nPick one.' WITH (temperature 0, max_tokens 24)
) RETURN pick;
`;
const WARM_QUERY = "SELECT * FROM run_workflow('brainstorm', (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2)) ORDER BY symbol";

async function cacheRows(session: Session): Promise<number> {
  const exists = await runRows(session, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'agentlake_response_cache'");
  if (exists.rows[0]?.[0] === 0) return 0;
  return Number((await runRows(session, 'SELECT count(*) FROM agentlake_response_cache')).rows[0]?.[0]);
}

/** Provenance of one run: step name → [cache hits, calls]. */
async function hitsByStep(session: Session, runId: string): Promise<Record<string, [number, number]>> {
  const r = await session.lakehouse.db.query(
    "SELECT step, count(*) FILTER (WHERE response_cache_hit), count(*) FROM agentlake_provenance WHERE run_id = $1 AND model IS NOT NULL GROUP BY step ORDER BY step",
    [runId],
  );
  return Object.fromEntries(r.rows.map((row) => [String(row[0]), [Number(row[1]), Number(row[2])]]));
}

async function lastRunId(session: Session): Promise<string> {
  const r = await session.lakehouse.db.query('SELECT run_id FROM agentlake_runs');
  return String(r.rows.at(-1)?.[0]);
}

describe('response cache', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a rerun of a deterministic statement is all cache hits with identical rows, in the same session and a new one', async () => {
    const dir = await freshLakehouse({ demo: true });
    cleanups.push(() => removeLakehouse(dir));
    const a = await openSession({ dir });
    const first = await runModel(a.session, Q3);
    expect(first.stats.response_cache_hits).toBe(0);
    expect(first.stats.calls_executed).toBe(first.stats.calls_total);
    expect(await cacheRows(a.session)).toBe(first.stats.calls_total);

    const second = await runModel(a.session, Q3);
    expect(second.stats).toMatchObject({ calls_total: first.stats.calls_total, response_cache_hits: first.stats.calls_total, calls_executed: 0, prompt_tokens: 0, errors: 0 });
    expect(second.rows).toEqual(first.rows);
    expect(second.columns).toEqual(first.columns);
    const steps = await hitsByStep(a.session, await lastRunId(a.session));
    for (const [step, [hits, calls]] of Object.entries(steps)) expect(hits, step).toBe(calls);
    // The simulated GPUs did no work for the rerun.
    expect(second.stats.simulated_gpu_busy_seconds).toBe(0);
    await a.dispose();

    const b = await openSession({ dir });
    const third = await runModel(b.session, Q3);
    expect(third.stats).toMatchObject({ response_cache_hits: first.stats.calls_total, calls_executed: 0 });
    expect(third.rows).toEqual(first.rows);
    await b.dispose();
  });

  it('with cache: false nothing hits and nothing is stored; results equal the cached run', async () => {
    const { session, dispose } = await openSession({ cache: false });
    cleanups.push(dispose);
    const first = await runModel(session, Q3);
    const second = await runModel(session, Q3);
    for (const s of [first.stats, second.stats]) {
      expect(s.response_cache_hits).toBe(0);
      expect(s.calls_executed + s.dedup_saved).toBe(s.calls_total);
    }
    expect(await cacheRows(session)).toBe(0);
    expect(second.rows).toEqual(first.rows);
    // Both runs really reached the simulated GPUs.
    expect(second.stats.simulated_gpu_busy_seconds).toBeGreaterThan(0);
    expect(second.stats.prompt_tokens).toBe(first.stats.prompt_tokens);
  });

  it('a step WITH (temperature 0.7) and no seed is never cached; with a seed it is', async () => {
    const { session, dispose } = await openSession();
    cleanups.push(dispose);
    await session.runScript({ name: 'wf.sql', text: WARM }, 'run');
    const first = await runModel(session, WARM_QUERY);
    expect(first.stats.calls_total).toBe(6);
    // idea (unseeded) is not stored; seeded and pick are.
    expect(await cacheRows(session)).toBe(4);

    const second = await runModel(session, WARM_QUERY);
    const steps = await hitsByStep(session, await lastRunId(session));
    expect(steps['brainstorm.idea']).toEqual([0, 2]);
    expect(steps['brainstorm.seeded']).toEqual([2, 2]);
    // pick's prompt contains idea's fresh (different) text, so it is a new call, not a hit.
    expect(steps['brainstorm.pick']).toEqual([0, 2]);
    expect(second.stats.response_cache_hits).toBe(2);
    expect(second.stats.calls_executed).toBe(4);
    // Sampling without a seed gives a new answer each time: the final texts differ.
    const texts = (r: typeof first): string[] => records(r).map((x) => String(x['text']));
    expect(texts(second)).not.toEqual(texts(first));
  });
});
