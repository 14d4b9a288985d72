// The figures of a run against what the simulated servers actually did: prompt and cached tokens
// equal the simulator's own counters (vllm:prompt_tokens_total, prefix-cache hits), calls_executed
// equals the requests the simulator served, and identical calls (the same guideline review for every
// patient, duplicate input rows) are computed once.
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { openSession, records, runModel } from './support.ts';

function served(session: Session): { requests: number; promptTokens: number; cachedTokens: number } {
  const m = session.modelRuntime().cluster.metrics();
  return {
    requests: m.reduce((n, g) => n + g.requestSuccess.stop + g.requestSuccess.length, 0),
    promptTokens: m.reduce((n, g) => n + g.promptTokens, 0),
    cachedTokens: m.reduce((n, g) => n + g.prefixCacheHits, 0),
  };
}

describe('run stats match the simulator', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function fresh(): Promise<Session> {
    const { session, dispose } = await openSession({ cache: false });
    cleanups.push(dispose);
    return session;
  }

  it('q1_social over 2 symbols: calls, prompt tokens and cached tokens equal the simulator counters', async () => {
    const session = await fresh();
    const r = await runModel(session, "SELECT * FROM run_workflow('q1_social', (SELECT symbol FROM symbols ORDER BY symbol LIMIT 2))");
    const s = served(session);
    expect(r.stats.calls_executed).toBe(s.requests);
    expect(r.stats.prompt_tokens).toBe(s.promptTokens);
    expect(r.stats.cached_tokens).toBe(s.cachedTokens);
    expect(r.stats.cached_tokens).toBeGreaterThan(0);
  });

  it('q5_healthcare: the six guideline reviews are computed once for both patients (dedup)', async () => {
    const session = await fresh();
    const r = await runModel(session, "SELECT * FROM run_workflow('q5_healthcare', (SELECT patient_id FROM patients ORDER BY patient_id LIMIT 2))");
    expect(r.stats.calls_total).toBe(42);
    expect(r.stats.dedup_saved).toBe(6);
    expect(r.stats.calls_executed).toBe(36);
    expect(served(session).requests).toBe(36);
  });

  it('duplicate input rows get one row each and the identical calls are sent once', async () => {
    const session = await fresh();
    // news has 6 stories per symbol: 12 input rows, 2 distinct symbols.
    const r = await runModel(session, "SELECT n.symbol, t.outlook FROM (SELECT symbol FROM news WHERE symbol IN ('ALTP', 'AMBF')) n, q1_social(n.symbol) t ORDER BY n.symbol");
    expect(records(r).map((x) => x['symbol'])).toEqual([...Array(6).fill('ALTP'), ...Array(6).fill('AMBF')]);
    expect(new Set(records(r).filter((x) => x['symbol'] === 'ALTP').map((x) => x['outlook'])).size).toBe(1);
    expect(r.stats.calls_executed).toBe(34);
    expect(served(session).requests).toBe(34);
  });

  // Regression test (fixed bug): a deduplicated call (one that shared an identical call's request) reports the shared call's
  // usage again, so stats.prompt_tokens / cached_tokens and provenance tokens_in / cached_tokens count
  // tokens no server processed. Over 12 input rows of 2 symbols, q1_social sends 34 requests holding
  // 46,019 prompt tokens (19,920 cached), but the run reports 276,114 (119,520 cached), 6x. A cache
  // hit, by contrast, reports 0 tokens. Expected: deduplicated calls add no tokens, so the figures
  // equal the simulator's counters.
  it('prompt and cached tokens count what the servers processed, not deduplicated copies', async () => {
    const session = await fresh();
    const r = await runModel(session, "SELECT n.symbol, t.outlook FROM (SELECT symbol FROM news WHERE symbol IN ('ALTP', 'AMBF')) n, q1_social(n.symbol) t");
    const s = served(session);
    expect(r.stats.dedup_saved).toBeGreaterThan(0);
    expect({ prompt: r.stats.prompt_tokens, cached: r.stats.cached_tokens }).toEqual({ prompt: s.promptTokens, cached: s.cachedTokens });
  });
});
