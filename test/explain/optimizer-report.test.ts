// optimizer-report: the optimizer's section of EXPLAIN (engine, rewrites, calls before/after, schedule,
// per-GPU placement, lower bounds; EXPLAIN ANALYZE's measured figures) as JSON and as text lines
// after the plan; text and JSON agree, and wall-clock figures appear in JSON only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStats } from '../../src/ir/run-stats.ts';
import type { Session } from '../../src/engine/session.ts';
import { renderOptimizer, type OptimizerReport } from '../../src/explain/optimizer-report.ts';
import { TextPlan } from '../../src/explain/render-text.ts';
import { setupSession } from '../helpers/bind.ts';
import { SETUP, WORKFLOW_QUERY } from '../helpers/explain-plan.ts';

interface ExplainJson {
  readonly actions: { readonly modelCalls: number };
  readonly optimizer: OptimizerReport;
}

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await setupSession(SETUP));
});

afterAll(async () => {
  await dispose();
});

async function explain(text: string): Promise<{ text: string; json: ExplainJson }> {
  const o = await session.runScript({ name: 'q.sql', text }, 'explain');
  if (o.kind !== 'explain') throw new Error(`expected a plan, got ${o.kind}`);
  return { text: o.text, json: o.json as ExplainJson };
}

/** Lines without their numbers, trimmed. */
function bare(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => l.replace(/^\s*\d+\s+/, ''));
}

describe('optimizer section of EXPLAIN', () => {
  it('follows the plan, and its figures are the JSON figures', async () => {
    const { text, json } = await explain(WORKFLOW_QUERY);
    const lines = bare(text);
    const opt = lines.findIndex((l) => l.startsWith('Optimizer:'));
    expect(opt).toBeGreaterThan(lines.findIndex((l) => l.startsWith('Tokens:')));
    const o = json.optimizer;
    expect(o.engine).toBe('agentlake');
    expect(o.gpus).toBe(1);
    // Nothing in this plan is identical, so dedup saves nothing: every model call stays.
    expect(o.callsBefore).toBe(json.actions.modelCalls);
    expect(o.callsAfter).toBe(o.callsBefore);
    expect(lines[opt]).toBe(`Optimizer: engine=agentlake gpus=1 device=h100 start=cold calls_before=${o.callsBefore} calls_after=${o.callsAfter}`);
    expect(lines.filter((l) => l.startsWith('Rewrite:'))).toEqual(o.rewrites.map((w) => `Rewrite: rule=${w.rule} round=${w.round} actions=${w.actions} calls=${w.calls}`));
    // Every call goes to its model's replicas on the one GPU, behind agentlake's dispatch.
    expect(o.placement.every((p) => p.worker.startsWith('replicas:') && p.replicas?.routing === 'planned' && p.replicas.gpus.join() === '0')).toBe(true);
    expect(o.placement.reduce((n, p) => n + p.calls, 0)).toBe(o.callsAfter);
    expect(lines.filter((l) => l.startsWith('Worker:'))).toEqual(o.placement.map((p) => `Worker: name=${p.worker} calls=${p.calls} models=${p.models.join('>')} gpus=0 routing=planned`));
    // The residency plan: what the GPU holds over time, as in the JSON.
    expect(o.residency?.stints.map((g) => g.gpu)).toEqual([0]);
    const gpuLines = lines.filter((l) => l.startsWith('Gpu:'));
    expect(gpuLines).toHaveLength(1);
    expect(gpuLines[0]).toContain(`stints=${o.residency?.stints[0]?.stints[0]?.models.join('+')}`);
    expect(o.estimate?.simulated).toBe(true);
    expect(lines.some((l) => l.startsWith(`LowerBound: prompt_tokens=${o.estimate?.promptTokens} `))).toBe(true);
  });

  it('is the same text each time', async () => {
    expect((await explain(WORKFLOW_QUERY)).text).toBe((await explain(WORKFLOW_QUERY)).text);
  });

  it('SET agentlake.gpus = 2 spreads the calls over two simulated GPUs', async () => {
    const { text, json } = await explain(`SET agentlake.gpus = 2; ${WORKFLOW_QUERY}`);
    await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.gpus' }, 'run');
    expect(json.optimizer.gpus).toBe(2);
    expect(bare(text).find((l) => l.startsWith('Optimizer:'))).toContain('gpus=2');
    expect(json.optimizer.placement.length).toBeGreaterThanOrEqual(1);
    expect(json.optimizer.placement.every((p) => p.replicas?.gpus.join() === '0,1')).toBe(true);
    expect(json.optimizer.residency?.stints.map((g) => g.gpu)).toEqual([0, 1]);
    expect(json.optimizer.placement.reduce((n, p) => n + p.calls, 0)).toBe(json.optimizer.callsAfter);
  });

  it('with the optimizer off: engine=off, no rewrites and no residency plan', async () => {
    const { text, json } = await explain(`SET agentlake.optimizer = off; ${WORKFLOW_QUERY}`);
    await session.runScript({ name: 'reset.sql', text: 'RESET agentlake.optimizer' }, 'run');
    expect(json.optimizer.engine).toBe('off');
    expect(json.optimizer.rewrites).toEqual([]);
    expect(json.optimizer.residency).toBeUndefined();
    expect(bare(text).find((l) => l.startsWith('Optimizer:'))).toContain('engine=off');
    expect(text).not.toContain('Rewrite:');
    expect(text).not.toContain('Residency:');
  });

  it('EXPLAIN ANALYZE adds the measured figures; wall-clock seconds are in the JSON only', async () => {
    const { text, json } = await explain(`EXPLAIN ANALYZE ${WORKFLOW_QUERY}`);
    const m = json.optimizer.measured;
    expect(m?.simulated).toBe(true);
    expect(m?.calls_total).toBe(json.actions.modelCalls);
    expect(typeof m?.wall_seconds).toBe('number');
    const measured = bare(text).find((l) => l.startsWith('Measured:'));
    expect(measured).toContain(`calls_executed=${m?.calls_executed}`);
    expect(measured).toContain(`errors=${m?.errors}`);
    expect(text).not.toMatch(/wall/);
  });
});

describe('renderOptimizer', () => {
  const stats: RunStats = {
    calls_total: 5, calls_executed: 4, response_cache_hits: 1, dedup_saved: 1, prompt_tokens: 100, cached_tokens: 10, errors: 0, simulated: true,
    simulated_makespan_seconds: 2.5, simulated_gpu_busy_seconds: 2, simulated_model_switches: 1, simulated_preemptions: 0, simulated_cluster: '2× H100, cold', optimizer_wall_seconds: 0.123, governance_wall_seconds: 0.045, wall_seconds: 1.678,
  };
  const report: OptimizerReport = {
    engine: 'ray-serve', gpus: 2, device: 'h200', start: 'warm', callsBefore: 5, callsAfter: 4, rewrites: [],
    placement: [{ worker: 'gpu:0', calls: 3, models: ['a', 'b'] }, { worker: 'gpu:1', calls: 1, models: ['a'] }],
    measured: { ...stats, makespanOverLbTime: null },
  };

  it('renders one line per part, with measured figures but no wall-clock ones', () => {
    const t = new TextPlan();
    renderOptimizer(t, report);
    expect(bare(t.toString())).toEqual([
      'Optimizer: engine=ray-serve gpus=2 device=h200 start=warm calls_before=5 calls_after=4',
      'Worker: name=gpu:0 calls=3 models=a>b',
      'Worker: name=gpu:1 calls=1 models=a',
      'Measured: simulated_makespan_s=2.5 calls_executed=4 dedup_saved=1 prompt_tokens=100 cached_tokens=10 model_switches=1 errors=0',
    ]);
    expect(t.toString()).not.toMatch(/1\.678|0\.123|0\.045/);
  });
});
