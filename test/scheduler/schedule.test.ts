// agentlake's physical plan (planResidency) on hand-built DAGs and on Q2-Trading lowered over the
// demo lakehouse: every action placed once, per-worker orders that hold exactly the worker's actions
// in dependency order, sim:// calls on their model's planned replicas over every GPU, CPU work on
// 'cpu', other endpoints on their own worker; an image-heavy model gets the GPUs its denoising needs;
// same input, same plan. Plus the "Ray + vLLM" baseline's static partition, and the plan-time prompt
// estimates.
import { encode } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQuery } from '../../src/bind/bind-query.ts';
import { engineProbe } from '../../src/engine/engine-probe.ts';
import type { Session } from '../../src/engine/session.ts';
import { isModelCall, type Action, type ActionDag, type ActionId, type LlmAction, type PromptSegment, type VlmAction } from '../../src/ir/action-dag.ts';
import type { Decoding, ModelRef } from '../../src/ir/common.ts';
import { lowerSite } from '../../src/lower/lower-query.ts';
import { baselinePlan, staticPartition } from '../../src/scheduler/baseline.ts';
import { IMAGE_TOKENS, RETURNS_TOKENS, estimateCalls } from '../../src/cost/estimate.ts';
import { expectedOutput, expectedOutputTokens } from '../../src/cost/cost-model.ts';
import { planResidency } from '../../src/scheduler/residency.ts';
import type { PhysicalPlan } from '../../src/ir/physical-plan.ts';
import type { SqlStatement } from '../../src/sql/ast.ts';
import { parseScript } from '../../src/sql/parse.ts';
import { demoSession } from '../helpers/lakehouse.ts';

const QWEN8: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
const QWEN32: ModelRef = { name: 'qwen3_32b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-32B', paramsB: 32, version: 1 };
const LLAVA: ModelRef = { name: 'llava', kind: 'vlm', endpoint: 'sim://', modelName: 'llava-hf/llava-1.5-7b-hf', paramsB: 7, version: 1 };
const REMOTE: ModelRef = { name: 'remote_llm', kind: 'llm', endpoint: 'http://127.0.0.1:9/v1', modelName: 'some/model', paramsB: 8, version: 1 };
const DEC: Decoding = { temperature: 0, maxTokens: 64 };

const text = (t: string): PromptSegment => ({ kind: 'text', text: t });
const ref = (action: ActionId): PromptSegment => ({ kind: 'ref', action, render: 'text' });

/** An LLM call whose prompt names it and references each dependency's output. */
function llm(id: ActionId, model: ModelRef, deps: readonly ActionId[], input: number | null = 0, extra: Partial<LlmAction> = {}): LlmAction {
  return { kind: 'llm', id, step: id.replace(/\d+$/, ''), input, deps, model, decoding: DEC, system: [], prompt: [text(`Task ${id}.\n`), ...deps.map(ref)], ...extra };
}

function vlm(id: ActionId, model: ModelRef, deps: readonly ActionId[], input = 0, step = id.replace(/\d+$/, '')): VlmAction {
  return { kind: 'vlm', id, step, input, deps, model, decoding: DEC, system: [], prompt: [text(`Describe chart ${id}.\n`), ...deps.map(ref)], image: { kind: 'object', key: `charts/${id}.png` } };
}


function dagOf(actions: readonly Action[]): ActionDag {
  const inputs = [...new Set(actions.map((a) => a.input).filter((i): i is number => i !== null))].sort((a, b) => a - b);
  return { kind: 'action_dag', source: 'test', inputs: inputs.map((index) => ({ index, values: {}, outputs: [] })), actions };
}

/** A batch of every placement kind: per input a fetch, a table, sim:// LLM and VLM calls, a remote call. */
function mixedDag(inputs: number): ActionDag {
  const actions: Action[] = [{ kind: 'sql', id: 'input', step: '<input>', input: null, deps: [], sql: 'SELECT 1', params: {}, rows: inputs }];
  for (let i = 0; i < inputs; i++) {
    actions.push(
      { kind: 'fetch', id: `doc${i}`, step: 'doc', input: i, deps: ['input'], key: `docs/${i}.txt` },
      { kind: 'sql', id: `fin${i}`, step: 'fin', input: i, deps: ['input'], sql: 'SELECT $i AS i', params: { i }, tokens: 40 },
      { kind: 'format', id: `md${i}`, step: 'md', input: i, deps: [`fin${i}`], format: 'markdown_table', parts: [{ kind: 'ref', action: `fin${i}`, render: 'table' }] },
      vlm(`chart${i}`, LLAVA, [], i),
      llm(`analyst${i}`, QWEN8, [`md${i}`, `doc${i}`, `chart${i}`], i),
      llm(`bull${i}`, QWEN8, [`analyst${i}`], i),
      llm(`bear${i}`, QWEN8, [`analyst${i}`], i),
      llm(`second${i}`, REMOTE, [`analyst${i}`], i),
      llm(`trader${i}`, QWEN32, [`bull${i}`, `bear${i}`, `second${i}`], i),
    );
  }
  return dagOf(actions);
}

/** What every plan must satisfy, for a batch planned on `gpus` simulated GPUs. */
function expectValidPlan(dag: ActionDag, plan: PhysicalPlan, gpus: number): void {
  const ids = dag.actions.map((a) => a.id);
  // Every action assigned exactly once, and listed exactly once, in its own worker's order.
  expect([...plan.assignment.keys()].sort()).toEqual([...ids].sort());
  const listed = [...plan.order.values()].flat();
  expect(listed.sort()).toEqual([...ids].sort());
  for (const [worker, list] of plan.order) {
    expect(list.length).toBeGreaterThan(0);
    for (const id of list) expect(plan.assignment.get(id), id).toBe(worker);
    expect(plan.window.get(worker) ?? 0, worker).toBeGreaterThanOrEqual(1);
  }
  for (const a of dag.actions) {
    const worker = plan.assignment.get(a.id);
    // Dependencies on the same worker come earlier in its order.
    const list = plan.order.get(worker ?? '') ?? [];
    for (const d of a.deps) if (plan.assignment.get(d) === worker) expect(list.indexOf(d), `${d} before ${a.id}`).toBeLessThan(list.indexOf(a.id));
    // Placement by kind.
    if (isModelCall(a) && 'model' in a) {
      if (a.model.endpoint.startsWith('sim://') && plan.residency) {
        // agentlake: the model's planned replicas over every GPU.
        expect(plan.workers.get(worker ?? ''), `${a.id} on ${worker}`).toEqual({ kind: 'replicas', model: a.model.name, gpus: Array.from({ length: gpus }, (_, i) => i), routing: 'planned' });
        expect(plan.residency.calls.has(a.id), a.id).toBe(true);
      } else if (a.model.endpoint.startsWith('sim://')) {
        // The paper's baseline pins each call to a GPU.
        const g = /^gpu:(\d+)$/.exec(worker ?? '');
        expect(g, `${a.id} on ${worker}`).not.toBeNull();
        expect(Number(g?.[1])).toBeLessThan(gpus);
      } else expect(worker).toBe(`model:${a.model.name}`);
    } else if (a.kind === 'sql' || a.kind === 'fetch' || a.kind === 'format') expect(worker, a.id).toBe('cpu');
  }
  // Every GPU is deployed before the run.
  expect([...(plan.deployment?.keys() ?? [])].sort()).toEqual(Array.from({ length: plan.residency ? gpus : 0 }, (_, i) => i));
}

/** A plan as plain data, Maps included, for comparing two plans. */
const planJson = (p: PhysicalPlan): string => JSON.stringify({ assignment: [...p.assignment], order: [...p.order], window: [...p.window], deployment: [...(p.deployment ?? [])], first: [...(p.residency?.first ?? [])], calls: [...(p.residency?.calls ?? [])] });

describe('planResidency on hand-built batches', () => {
  it.each([1, 2, 3, 4])('places every action once, in dependency order, on the right kind of worker (%i GPUs)', (gpus) => {
    const dag = mixedDag(3);
    const { plan, report } = planResidency(dag, { gpus });
    expectValidPlan(dag, plan, gpus);
    // The remote endpoint keeps its own worker; CPU work all on 'cpu'.
    expect(plan.order.get('model:remote_llm')).toEqual(['second0', 'second1', 'second2']);
    expect(plan.order.get('cpu')?.slice().sort()).toEqual(['doc0', 'doc1', 'doc2', 'fin0', 'fin1', 'fin2', 'input', 'md0', 'md1', 'md2']);
    expect(plan.window.get('cpu')).toBe(8);
    // 3 inputs × (1 VLM + 4 sim LLM) calls go through the dispatch, the remote calls elsewhere.
    expect(report.calls).toBe(15);
    expect(report.stints.map((g) => g.gpu)).toEqual(Array.from({ length: gpus }, (_, i) => i));
  });

  it('costs a diffusion call its denoising time, so an image-heavy model gets the GPUs it needs', () => {
    // 8 inputs, each a short LLM prompt and 10 images (the simulator renders one image at a time:
    // 0.2 s per 512×512 image for a 6B model at 8 steps, 16 s in all).
    const ZIMAGE: ModelRef = { name: 'zimage', kind: 'diffusion', endpoint: 'sim://', modelName: 'Tongyi-MAI/Z-Image-Turbo', paramsB: 6, version: 1 };
    const actions: Action[] = [];
    for (let i = 0; i < 8; i++) {
      actions.push(llm(`t${i}`, QWEN8, [], i, { prompt: [text(`Title ${i}`)], decoding: { temperature: 0, maxTokens: 8 } }));
      for (let k = 0; k < 10; k++) actions.push({ kind: 'image', id: `img${i}_${k}`, step: 'render', input: i, deps: [], model: ZIMAGE, system: [], prompt: [text(`Picture ${i}.${k}`)], decoding: { temperature: 1, maxTokens: 0, seed: k, width: 512, height: 512 } });
    }
    const dag = dagOf(actions);
    // One GPU, cold: the diffusion model (22 + 12 GB at 2 GB/s = 28 s) and all 16 s of denoising.
    expect(planResidency(dag, { gpus: 1 }).report.estimatedMakespanS).toBeGreaterThan(28 + 16);
    const { plan, report } = planResidency(dag, { gpus: 4, warm: true });
    expectValidPlan(dag, plan, 4);
    // Four warm GPUs: nearly all the work is denoising, so the diffusion model holds three of them
    // from the start and the plan ends after about a quarter to a third of the 16 s.
    expect(report.stints.filter((g) => g.stints[0]?.models.includes('zimage')).length).toBeGreaterThanOrEqual(3);
    expect(report.estimatedMakespanS).toBeGreaterThan(16 / 4);
    expect(report.estimatedMakespanS).toBeLessThan(16 / 3 + 1);
  });

  it('is deterministic: the same batch, or a structural copy of it, gives the identical plan and report', () => {
    const dag = mixedDag(4);
    const a = planResidency(dag, { gpus: 3 });
    const b = planResidency(dag, { gpus: 3 });
    const c = planResidency(JSON.parse(JSON.stringify(dag)) as ActionDag, { gpus: 3 });
    expect(planJson(b.plan)).toBe(planJson(a.plan));
    expect(planJson(c.plan)).toBe(planJson(a.plan));
    expect(b.report).toEqual(a.report);
    expect(c.report).toEqual(a.report);
  });

  it('plans a batch with no model call: everything on cpu', () => {
    const dag = dagOf([{ kind: 'sql', id: 's', step: 's', input: 0, deps: [], sql: 'SELECT 1', params: {} }, { kind: 'format', id: 'f', step: 'f', input: 0, deps: ['s'], format: 'markdown_table', parts: [{ kind: 'ref', action: 's', render: 'table' }] }]);
    const { plan, report } = planResidency(dag, { gpus: 2 });
    expect([...plan.order]).toEqual([['cpu', ['s', 'f']]]);
    expect(report.calls).toBe(0);
  });
});

describe('planResidency on Q2-Trading lowered over the demo lakehouse', () => {
  let session: Session;
  let dispose: () => Promise<void>;
  let dag: ActionDag;

  beforeAll(async () => {
    ({ session, dispose } = await demoSession());
    const sql = 'SELECT s.symbol, t.* FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT 3) s, q2_trading(s.symbol) t';
    const stmt = parseScript({ name: 'q.sql', text: sql }).script.statements[0] as SqlStatement;
    const bound = await bindQuery(stmt, { catalog: session.catalog.snapshot, db: session.lakehouse.db });
    const site = bound.sites[0];
    if (!site) throw new Error('no call site');
    dag = await lowerSite(site, engineProbe(session.lakehouse));
  });

  afterAll(() => dispose());

  it.each([1, 2, 3, 4])('gives a valid plan on %i GPUs', (gpus) => {
    // Per input (catalog/README.md): sql 4, fetch 6, vlm 6, llm 16, 7 formats; plus the input action.
    expect(dag.actions).toHaveLength(1 + 3 * 39);
    const { plan, report } = planResidency(dag, { gpus });
    expectValidPlan(dag, plan, gpus);
    expect(report.calls).toBe(dag.actions.filter(isModelCall).length);
    expect(report.estimatedMakespanS).toBeGreaterThan(30); // at least one cold load
  });

  it('on one GPU holds every model from the start (each is read by another, or shares the GPU)', () => {
    const { report } = planResidency(dag, { gpus: 1 });
    const held = new Set(report.stints.flatMap((g) => g.stints.flatMap((x) => x.models)));
    expect([...held].sort()).toEqual(['llava', 'qwen3_32b', 'qwen3_8b']);
  });

  it('is deterministic', () => {
    const a = planResidency(dag, { gpus: 3 });
    const b = planResidency(dag, { gpus: 3 });
    expect(planJson(b.plan)).toBe(planJson(a.plan));
    expect(b.report).toEqual(a.report);
  });
});

describe('staticPartition', () => {
  const calls = (entries: [string, number][]): Map<string, number> => new Map(entries);

  it('gives the busiest models the extra GPUs, contiguously', () => {
    expect([...staticPartition(calls([['c', 1], ['a', 5], ['b', 3]]), 7)]).toEqual([['a', [0, 1, 2]], ['b', [3, 4]], ['c', [5, 6]]]);
    expect([...staticPartition(calls([['a', 5], ['b', 3]]), 5)]).toEqual([['a', [0, 1, 2]], ['b', [3, 4]]]);
    expect([...staticPartition(calls([['a', 1]]), 4)]).toEqual([['a', [0, 1, 2, 3]]]);
  });

  it('breaks ties in call counts by name', () => {
    expect([...staticPartition(calls([['y', 2], ['x', 2]]), 3)]).toEqual([['x', [0, 1]], ['y', [2]]]);
  });

  it('with fewer GPUs than models, models share GPUs round-robin in call order', () => {
    expect([...staticPartition(calls([['a', 5], ['b', 3], ['c', 1]]), 2)]).toEqual([['a', [0]], ['b', [1]], ['c', [0]]]);
    expect([...staticPartition(calls([['a', 5], ['b', 3], ['c', 1]]), 1)]).toEqual([['a', [0]], ['b', [0]], ['c', [0]]]);
  });

  it('is empty without models', () => {
    expect(staticPartition(new Map(), 4).size).toBe(0);
  });
});

describe('baselinePlan', () => {
  // sim:// calls: qwen3_8b ×3 (inputs 0..2), llava ×1, qwen3_32b ×1; one remote call; three CPU actions.
  const dag = dagOf([
    { kind: 'sql', id: 'input', step: '<input>', input: null, deps: [], sql: 'SELECT 1', params: {} },
    { kind: 'fetch', id: 'f0', step: 'doc', input: 0, deps: ['input'], key: 'docs/0.txt' },
    llm('a0', QWEN8, ['f0'], 0),
    vlm('v0', LLAVA, [], 0),
    llm('a1', QWEN8, ['input'], 1),
    llm('a2', QWEN8, ['input'], 2),
    llm('r0', REMOTE, ['a0'], 0),
    { kind: 'format', id: 'm0', step: 'md', input: 0, deps: ['a0'], format: 'markdown_table', parts: [ref('a0')] },
    llm('b0', QWEN32, ['a0', 'v0'], 0),
  ]);

  it('splits 4 GPUs statically: the busiest model gets two, its calls round-robin over them', () => {
    const plan = baselinePlan(dag, { name: 'paper', gpus: 4 });
    expect([...plan.order].sort()).toEqual([
      ['cpu', ['input', 'f0', 'm0']],
      ['gpu:0', ['a0', 'a2']],
      ['gpu:1', ['a1']],
      ['gpu:2', ['v0']],
      ['gpu:3', ['b0']],
      ['model:remote_llm', ['r0']],
    ]);
    expectValidPlan(dag, plan, 4);
  });

  it('with fewer GPUs than models, packs models onto shared GPUs', () => {
    // qwen3_8b (3 calls) → 0, llava (1, before qwen3_32b by name) → 1, qwen3_32b → 0.
    const plan = baselinePlan(dag, { name: 'paper', gpus: 2 });
    expect(plan.order.get('gpu:0')).toEqual(['a0', 'a1', 'a2', 'b0']);
    expect(plan.order.get('gpu:1')).toEqual(['v0']);
    expectValidPlan(dag, plan, 2);
    expect([...baselinePlan(dag, { name: 'paper', gpus: 1 }).order.keys()].sort()).toEqual(['cpu', 'gpu:0', 'model:remote_llm']);
  });

  it('sends every ready call at once: unbounded windows', () => {
    const plan = baselinePlan(dag, { name: 'paper', gpus: 4 });
    for (const w of ['gpu:0', 'gpu:1', 'gpu:2', 'gpu:3', 'model:remote_llm']) expect(plan.window.get(w), w).toBeGreaterThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(plan.window.get('cpu')).toBe(8);
  });
});

describe('estimateCalls', () => {
  it('tokenizes text, stands in for outputs with runs unique to their producer, and adds image tokens', () => {
    const dag = dagOf([
      { kind: 'sql', id: 's', step: 's', input: 0, deps: [], sql: 'SELECT 1', params: {}, tokens: 100 },
      { kind: 'format', id: 'f', step: 'f', input: 0, deps: ['s'], format: 'markdown_table', parts: [text('Table:\n'), ref('s')] },
      llm('x', QWEN8, ['s'], 0, { prompt: [ref('s')] }),
      llm('y', QWEN8, ['s'], 0, { prompt: [ref('s')], system: [text('You are terse.')] }),
      llm('z', QWEN8, ['x', 'f'], 0, { prompt: [ref('f'), ref('x')], decoding: { temperature: 0, maxTokens: 1000 } }),
      llm('r', QWEN8, [], 0, { prompt: [text('Rate it.')], decoding: { temperature: 0, maxTokens: 1000 }, returns: { columns: [{ name: 'ok', type: 'BOOLEAN' }] } }),
      vlm('v', LLAVA, [], 0),
    ]);
    const e = estimateCalls(dag);
    expect([...e.keys()]).toEqual(['x', 'y', 'z', 'r', 'v']);
    const sRun = [...(e.get('x')?.tokens ?? [])];
    expect(sRun).toHaveLength(100);
    expect(sRun.every((t) => t >= 1 << 24)).toBe(true); // above the tokenizer's vocabulary
    expect(new Set(sRun).size).toBe(100);
    // y: its system prompt, then the same run as x (one producer, one run).
    expect([...(e.get('y')?.tokens ?? [])]).toEqual([...encode('You are terse.'), ...sRun]);
    // Expected output under max_tokens M (cost-model.ts OUTPUT_BUDGET): 10% run to M, the rest are
    // uniform on ceil(0.4·M)..M. x (M = 64): 0.1·64 + 0.9·(26 + 64)/2 = 46.9 → 47 tokens;
    // z (M = 1000): 0.1·1000 + 0.9·(400 + 1000)/2 = 730; r (RETURNS): 64 tokens of JSON.
    expect(e.get('x')?.outputTokens).toBe(47);
    expect(e.get('z')?.outputTokens).toBe(730);
    expect(e.get('r')?.outputTokens).toBe(64);
    expect(RETURNS_TOKENS).toBe(64);
    // z: the format's text and s's run, then x's output run (its 47 expected tokens).
    const z = [...(e.get('z')?.tokens ?? [])];
    expect(z.slice(0, z.length - 47)).toEqual([...encode('Table:\n'), ...sRun]);
    expect(z).toHaveLength(encode('Table:\n').length + 100 + 47);
    expect(z.slice(-47).some((t) => sRun.includes(t))).toBe(false);
    // Thinking mode: a call generates thinking + answer within max_tokens (z: E[min(T + A, 1000)]), and
    // the prompts that read it see the answer only; RETURNS' 64 tokens follow the thinking too.
    const thinking = estimateCalls(dag, { reasoning: true });
    expect(thinking.get('z')?.outputTokens).toBe(Math.round(expectedOutputTokens(1000, true)));
    expect(thinking.get('z')?.outputTokens).toBeGreaterThan(730);
    expect(thinking.get('r')?.outputTokens).toBe(Math.round(expectedOutput(1000, true, 64).tokens));
    // x (max_tokens 64) thinks through all of it: no answer for z's prompt to read.
    expect(thinking.get('x')?.outputTokens).toBe(64);
    expect(thinking.get('z')?.tokens).toHaveLength(encode('Table:\n').length + 100);
    // VLM: the prompt, then 576 image tokens of its own.
    const v = e.get('v')?.tokens ?? [];
    expect(v).toHaveLength(encode('Describe chart v.\n').length + IMAGE_TOKENS);
    expect(IMAGE_TOKENS).toBe(576);
  });
});
