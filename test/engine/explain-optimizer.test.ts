// EXPLAIN shows the optimizer's work: the rewrites that fired, calls before and after dedup, the
// schedule and the placement per GPU, estimates and lower bounds; EXPLAIN ANALYZE adds the measured
// figures of the same plan; the optimizer off and the baseline say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { OptimizerReport } from '../../src/explain/optimizer-report.ts';
import { openSession } from './support.ts';

// Three symbols, the first one twice: its whole chain is computed once.
const Q = `SELECT x.symbol, t.action FROM ((SELECT symbol FROM symbols ORDER BY symbol LIMIT 3) UNION ALL (SELECT symbol FROM symbols ORDER BY symbol LIMIT 1)) x, q2_trading(x.symbol) t`;

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await openSession({ cache: false, gpus: 2 }));
});
afterAll(() => dispose());

async function explain(text: string, verbose = false): Promise<{ json: { actions: { modelCalls: number }; optimizer: OptimizerReport }; text: string }> {
  const out = await session.runScript({ name: 'q.sql', text }, 'explain', { verbose });
  if (out.kind !== 'explain') throw new Error('expected a plan');
  return { json: out.json as { actions: { modelCalls: number }; optimizer: OptimizerReport }, text: out.text };
}

describe('EXPLAIN of the optimizer', () => {
  it('reports rewrites, dedup, placement on every GPU, estimates and bounds', async () => {
    const { json, text } = await explain(Q);
    const o = json.optimizer;
    expect(o.engine).toBe('agentlake');
    expect(o.gpus).toBe(2);
    expect(o.callsBefore).toBe(json.actions.modelCalls);
    // The repeated symbol's 22 calls merge into the first one's.
    expect(o.callsBefore - o.callsAfter).toBe(22);
    expect(o.rewrites.map((r) => r.rule)).toEqual(['node_absorption', 'prefix_consolidation', 'merkle_dedup']);
    // One worker per model, its calls dispatched over both GPUs; the residency plan covers both.
    expect(o.placement.map((p) => p.worker).sort()).toEqual(['replicas:llava', 'replicas:qwen3_32b', 'replicas:qwen3_8b']);
    expect(o.placement.every((p) => p.replicas?.routing === 'planned' && p.replicas.gpus.join() === '0,1')).toBe(true);
    expect(o.placement.reduce((n, p) => n + p.calls, 0)).toBe(o.callsAfter);
    expect(o.residency?.stints.map((g) => g.gpu)).toEqual([0, 1]);
    expect(o.residency?.calls).toBe(o.callsAfter);
    expect(o.residency?.estimatedMakespanS).toBeGreaterThan(0);
    expect(o.estimate?.lbPrefillTokens).toBeLessThan(o.estimate?.promptTokens ?? 0);
    expect(o.estimate?.lbTimeS).toBeGreaterThan(0);
    expect(text).toMatch(/Optimizer: engine=agentlake gpus=2 device=h100 start=cold calls_before=88 calls_after=66/);
    expect(text).toMatch(/Rewrite: rule=merkle_dedup round=1/);
    expect(text).toMatch(/Worker: name=replicas:qwen3_8b calls=\d+ models=qwen3_8b gpus=0,1 routing=planned/);
    expect(text).toMatch(/Gpu: gpu=0 stints=/);
    expect(text).toMatch(/Dispatch: policy=planned /);
    // Without VERBOSE: no DAG after each rule, in text or JSON.
    expect(text).not.toMatch(/After:/);
    expect(o.rewrites.every((r) => r.after === undefined)).toBe(true);
  });

  it('VERBOSE (SQL or the CLI flag): under each rewrite the DAG it left, as text and as JSON lines', async () => {
    const bySql = await explain(`EXPLAIN VERBOSE ${Q}`);
    const byFlag = await explain(Q, true);
    expect(byFlag.text).toBe(bySql.text);
    expect(byFlag.json.optimizer).toEqual(bySql.json.optimizer);
    const rewrites = bySql.json.optimizer.rewrites;
    expect(rewrites.map((r) => r.rule)).toEqual(['node_absorption', 'prefix_consolidation', 'merkle_dedup']);
    const lines = bySql.text.split('\n').map((l) => l.replace(/^\s*\d+ {2}/, ''));
    for (const r of rewrites) {
      // 88 calls: too large to show whole, so the batch-level actions and input 0 of the site.
      expect(r.after?.shown).toBe('input 0');
      expect(r.after?.actions).toBe(Number(r.actions.split('->')[1]));
      const at = lines.indexOf(`    Rewrite: rule=${r.rule} round=${r.round} actions=${r.actions} calls=${r.calls}`);
      expect(at).toBeGreaterThan(0);
      expect(lines[at + 1]).toBe(`      After: actions=${r.after?.actions} shown="input 0"`);
      expect(lines.slice(at + 2, at + 2 + (r.after?.lines.length ?? 0))).toEqual(r.after?.lines.map((l) => `        ${l}`));
      expect(r.after?.lines.some((l) => /^Llm: id=\S+#0\b/.test(l))).toBe(true);
    }
    // node_absorption removed every format of input 0.
    expect(rewrites[0]?.after?.lines.some((l) => l.startsWith('Format:'))).toBe(false);
    // Deterministic: the same text again.
    expect((await explain(`EXPLAIN VERBOSE ${Q}`)).text).toBe(bySql.text);
  });

  it('EXPLAIN ANALYZE runs the plan it shows: measured calls match, makespan at least the bound', async () => {
    const { json } = await explain(`EXPLAIN ANALYZE ${Q}`);
    const m = json.optimizer.measured;
    expect(m?.calls_total).toBe(json.optimizer.callsBefore);
    expect(m?.calls_executed).toBe(json.optimizer.callsAfter);
    expect(m?.dedup_saved).toBe(22);
    expect(m?.simulated_makespan_seconds).toBeGreaterThanOrEqual(json.optimizer.estimate?.lbTimeS ?? Infinity);
    expect(m?.makespanOverLbTime).toBeGreaterThanOrEqual(1);
  });

  it('with the optimizer off: no rewrites and no residency plan', async () => {
    await session.runScript({ name: 'off.sql', text: 'SET agentlake.optimizer = off' }, 'run');
    try {
      const { json, text } = await explain(Q, true);
      expect(text).not.toMatch(/Rewrite:/);
      expect(json.optimizer.engine).toBe('off');
      expect(json.optimizer.rewrites).toEqual([]);
      expect(json.optimizer.callsAfter).toBe(json.optimizer.callsBefore);
      expect(json.optimizer.residency).toBeUndefined();
    } finally {
      await session.runScript({ name: 'on.sql', text: 'RESET agentlake.optimizer' }, 'run');
    }
  });
});
