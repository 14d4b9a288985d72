// Every baseline of the family (ir/engines.ts) is a different engine over the same prompts: each
// paper workflow, and a user workflow, gives exactly agentlake's rows under every baseline, with every
// call executed (no dedup) and the baseline's own serving visible in the run's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import { BASELINES, type BaselineName } from '../../src/ir/engines.ts';
import { openSession, runRows } from './support.ts';

const CASES = [
  { workflow: 'q1_social', table: 'symbols', key: 'symbol' },
  { workflow: 'q2_trading', table: 'symbols', key: 'symbol' },
  { workflow: 'q3_imagegen', table: 'symbols', key: 'symbol' },
  { workflow: 'q4_summary', table: 'symbols', key: 'symbol' },
  { workflow: 'q5_healthcare', table: 'patients', key: 'patient_id' },
  { workflow: 'q6_materials', table: 'spectra', key: 'spectrum_id' },
];

const USER_WORKFLOW = `CREATE OR REPLACE WORKFLOW brief(symbol VARCHAR) AS (
  facts := SQL (SELECT fiscal_year, revenue FROM financials WHERE symbol = :symbol ORDER BY fiscal_year),
  gist := LLM qwen3_8b PROMPT 'Revenue of {{symbol}}:\\n{{facts}}\\nOne sentence on the trend.' WITH (temperature 0, max_tokens 48),
  verdict := LLM qwen3_32b PROMPT 'Trend: {{gist}}\\nBuy, sell or hold {{symbol}}?' RETURNS (action VARCHAR CHECK (action IN ('BUY', 'SELL', 'HOLD'))) WITH (temperature 0, max_tokens 32)
) RETURN verdict;`;

const sessions = new Map<string, Session>();
const disposers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  for (const engine of ['agentlake', ...BASELINES] as const) {
    const s = await openSession({ cache: false, gpus: 3, ...(engine === 'agentlake' ? {} : { baseline: engine as BaselineName }) });
    await s.session.runScript({ name: 'wf.sql', text: USER_WORKFLOW }, 'run');
    sessions.set(engine, s.session);
    disposers.push(s.dispose);
  }
});

afterAll(async () => {
  for (const d of disposers) await d();
});

function session(engine: string): Session {
  const s = sessions.get(engine);
  if (!s) throw new Error(`no session for ${engine}`);
  return s;
}

describe('every baseline returns agentlake\'s rows', () => {
  const queries = [
    ...CASES.map((c) => ({ name: c.workflow, sql: `SELECT x.${c.key}, t.* FROM (SELECT ${c.key} FROM ${c.table} ORDER BY ${c.key} LIMIT 3) x, ${c.workflow}(x.${c.key}) t ORDER BY ALL` })),
    { name: 'a user workflow', sql: 'SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 5) s, brief(s.symbol) t ORDER BY ALL' },
  ];
  for (const q of queries) {
    it(q.name, async () => {
      const ours = await runRows(session('agentlake'), q.sql);
      expect(ours.rows.length).toBeGreaterThan(0);
      for (const b of BASELINES) {
        const theirs = await runRows(session(b), q.sql);
        expect(theirs.columns, b).toEqual(ours.columns);
        expect(theirs.rows, b).toEqual(ours.rows);
        // No dedup and no response cache: every call the statement asked for ran.
        expect(theirs.stats?.calls_executed, b).toBe(theirs.stats?.calls_total);
        expect(theirs.stats?.calls_total, b).toBe(ours.stats?.calls_total);
      }
    });
  }
});

describe('the baselines differ only in how they serve', () => {
  const sql = 'SELECT x.patient_id, t.* FROM (SELECT patient_id FROM patients ORDER BY patient_id LIMIT 6) x, q5_healthcare(x.patient_id) t';

  it('paper runs without prefix caching; ray-serve and router hit the cache', async () => {
    const paper = await runRows(session('paper'), sql);
    const ray = await runRows(session('ray-serve'), sql);
    const router = await runRows(session('router'), sql);
    expect(paper.stats?.cached_tokens).toBe(0);
    expect(ray.stats?.cached_tokens).toBeGreaterThan(0);
    expect(router.stats?.cached_tokens).toBeGreaterThan(0);
  });

  it('langgraph runs each input\'s steps one at a time: slower than ray-serve on the same replicas', async () => {
    const ray = await runRows(session('ray-serve'), sql);
    const graph = await runRows(session('langgraph'), sql);
    expect(graph.stats?.simulated_makespan_seconds ?? 0).toBeGreaterThan(ray.stats?.simulated_makespan_seconds ?? Infinity);
  });

  it('EXPLAIN names the baseline and shows its replicas, routing, deployment and admission', async () => {
    const text = async (b: string): Promise<string> => {
      const out = await session(b).runScript({ name: 'x.sql', text: sql }, 'explain');
      return out.kind === 'explain' ? out.text : '';
    };
    for (const b of BASELINES) expect(await text(b), b).toMatch(new RegExp(`Optimizer: engine=${b} `));
    // 3 GPUs, Q5: the 8B model's work gets two replicas, the 32B model's one (a 32B model shares with nobody).
    const ray = await text('ray-serve');
    expect(ray).toMatch(/Worker: name=replicas:qwen3_8b calls=\d+ models=qwen3_8b gpus=0,1 routing=power-of-two/);
    expect(ray).toMatch(/Worker: name=replicas:qwen3_32b calls=6 models=qwen3_32b gpus=2 routing=power-of-two/);
    expect(ray).toMatch(/Deploy: gpu=2 models=qwen3_32b\n/);
    expect(ray).not.toMatch(/Admission/);
    expect(await text('router')).toMatch(/routing=cache-aware/);
    expect(await text('langgraph')).toMatch(/Admission: inputs_in_flight=16/);
    expect(await text('paper')).not.toMatch(/Deploy|replicas/);
  });
});
