// executeDag with a hand-made PhysicalPlan on the in-process simulator (2 GPUs, virtual time): sim://
// calls run on the GPU the plan names; each GPU loads its next planned model while idle, so a call
// that becomes ready late pays no load; a plan that cannot progress stops with an error, not a hang.
import { describe, expect, it } from 'vitest';
import type { Action, ActionDag, ActionId, FormatAction, LlmAction } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { executeDag, type ActionEvent } from '../../src/runtime/executor.ts';
import type { ModelClient } from '../../src/runtime/model-client.ts';
import type { OperatorContext } from '../../src/runtime/operators.ts';
import type { PhysicalPlan, WorkerRef } from '../../src/ir/physical-plan.ts';
import { SimClient } from '../../src/sim/sim-client.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import type { SimTiming } from '../../src/sim/protocol.ts';
import type { Database } from '../../src/storage/duckdb.ts';

const QWEN8: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
const QWEN32: ModelRef = { name: 'qwen3_32b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-32B', paramsB: 32, version: 1 };

/** Every generated text is exactly this long (max_tokens is larger), so latencies are a few seconds. */
const OUT_TOKENS = 200;

function llm(id: ActionId, model: ModelRef, deps: readonly ActionId[] = []): LlmAction {
  return {
    kind: 'llm', id, step: id, input: 0, deps, model, decoding: { temperature: 0, maxTokens: 256 }, system: [],
    prompt: [{ kind: 'text', text: `Task ${id}. Summarize:\n` }, ...deps.map((d) => ({ kind: 'ref' as const, action: d, render: 'text' as const }))],
  };
}

const format = (id: ActionId): FormatAction => ({ kind: 'format', id, step: id, input: 0, deps: [], format: 'transcript', parts: [{ kind: 'text', text: 'notes' }] });

const dagOf = (actions: readonly Action[]): ActionDag => ({ kind: 'action_dag', source: 'test', inputs: [{ index: 0, values: {}, outputs: [] }], actions });

/** The workers plans here use, by id. */
const REFS: Readonly<Record<string, WorkerRef>> = { cpu: { kind: 'cpu' }, 'gpu:0': { kind: 'gpu', index: 0 }, 'gpu:1': { kind: 'gpu', index: 1 } };

/** A plan from per-worker lists of actions, in order; GPU windows 256, CPU 8. */
function planOf(workers: Readonly<Record<string, readonly ActionId[]>>): PhysicalPlan {
  const assignment = new Map<ActionId, string>();
  const order = new Map<string, ActionId[]>();
  const window = new Map<string, number>();
  const refs = new Map<string, WorkerRef>();
  for (const [worker, list] of Object.entries(workers)) {
    const ref = REFS[worker];
    if (!ref) throw new Error(`planOf: no worker '${worker}'`);
    refs.set(worker, ref);
    order.set(worker, [...list]);
    window.set(worker, worker === 'cpu' ? 8 : 256);
    for (const id of list) assignment.set(id, worker);
  }
  return { workers: refs, assignment, order, window };
}

interface Run {
  readonly cluster: SimCluster;
  readonly events: ReadonlyMap<ActionId, ActionEvent>;
  /** The simulator's timing of each call, by action id (parsed back from the prompt). */
  readonly timings: ReadonlyMap<ActionId, SimTiming>;
  readonly makespan: number;
}

/**
 * Runs `dag` under `plan` on two simulated H100s; `prefetch: false` hides the client's prepare (as a
 * backend without it would), `coldLoadS` overrides the 30 s cold load.
 */
async function run(dag: ActionDag, plan: PhysicalPlan | undefined, opts: { prefetch?: boolean; coldLoadS?: number } = {}): Promise<Run> {
  const clock = new VirtualClock();
  const cluster = new SimCluster({
    clock, gpus: 2, outputLength: { min: OUT_TOKENS, max: OUT_TOKENS },
    ...(opts.coldLoadS !== undefined ? { switchCosts: { coldLoadS: opts.coldLoadS } } : {}),
  });
  const timings = new Map<ActionId, SimTiming>();
  const submit = cluster.submit.bind(cluster);
  cluster.submit = async (request, signal) => {
    const r = await submit(request, signal);
    const messages = (request.body as { messages?: readonly { content: unknown }[] }).messages ?? [];
    const user = messages.at(-1)?.content;
    const id = /Task (\S+)\./.exec(typeof user === 'string' ? user : '')?.[1];
    if (r.ok && id !== undefined) timings.set(id, (r.body as { agentlake_sim: SimTiming }).agentlake_sim);
    return r;
  };
  const sim = new SimClient(cluster);
  const client: ModelClient = opts.prefetch === false ? { call: (c, s) => sim.call(c, s) } : sim;
  const ctx: OperatorContext = {
    db: undefined as unknown as Database, // no SQL and no RETURNS here
    sql: () => {
      throw new Error('no SQL in these DAGs');
    },
    readObject: async (key) => {
      throw new Error(`no object ${key}`);
    },
    writeObject: async () => undefined,
    clientFor: () => client,
    signal: new AbortController().signal,
    clock: () => clock.now(),
    hold: () => clock.hold(),
  };
  const events = new Map<ActionId, ActionEvent>();
  const outputs = await executeDag(dag, ctx, { ...(plan ? { plan } : {}), deterministic: true, onEvent: (e) => events.set(e.action.id, e) });
  expect(outputs.size).toBe(dag.actions.length);
  for (const e of events.values()) if (e.action.kind === 'llm') expect(e.usage?.completionTokens, e.action.id).toBe(OUT_TOKENS);
  return { cluster, events, timings, makespan: clock.now() };
}

const ev = (r: Run, id: ActionId): ActionEvent => {
  const e = r.events.get(id);
  if (!e) throw new Error(`no event for ${id}`);
  return e;
};
const timing = (r: Run, id: ActionId): SimTiming => {
  const t = r.timings.get(id);
  if (!t) throw new Error(`no simulator timing for ${id}`);
  return t;
};
const served = (r: Run): number[] => r.cluster.metrics().map((g) => g.requestSuccess.stop + g.requestSuccess.length);

describe('executeDag with a physical plan on the simulator', () => {
  it('sends each sim:// call to the GPU its worker names', async () => {
    const dag = dagOf([llm('p0', QWEN8), llm('p1', QWEN8), llm('p2', QWEN8), llm('p3', QWEN8), format('f')]);
    const plan = planOf({ 'gpu:1': ['p0', 'p1', 'p2'], 'gpu:0': ['p3'], cpu: ['f'] });
    const r = await run(dag, plan);
    expect(served(r)).toEqual([1, 3]);
    for (const id of ['p0', 'p1', 'p2']) expect([ev(r, id).worker, timing(r, id).gpu]).toEqual(['gpu:1', 1]);
    expect([ev(r, 'p3').worker, timing(r, 'p3').gpu]).toEqual(['gpu:0', 0]);
    expect(ev(r, 'f').worker).toBe('cpu');
    // Prompt tokens per GPU are exactly those of the calls placed there.
    const prompt = (ids: string[]): number => ids.reduce((n, id) => n + (ev(r, id).usage?.promptTokens ?? 0), 0);
    const [g0, g1] = r.cluster.metrics();
    expect(g0?.promptTokens).toBe(prompt(['p3']));
    expect(g1?.promptTokens).toBe(prompt(['p0', 'p1', 'p2']));
    expect(g1?.generationTokens).toBe(3 * OUT_TOKENS);
    // Each GPU loaded the model once (the start prefetch and the first call share the load).
    expect(r.cluster.metrics().map((g) => [g.modelSwitches, g.modelLoadS])).toEqual([[1, 30], [1, 30]]);

    // Without a plan the simulator places the same calls itself: all where the model first went.
    const free = await run(dag, undefined);
    expect(served(free)).toEqual([4, 0]);
  });

  it('prefetch: a GPU loads its first planned model at the start, so a call ready late pays no load', async () => {
    // gpu:1's only call b1 (qwen3_32b, a 54 s cold load) waits for a1 on gpu:0, which loads cold for 30 s.
    const dag = dagOf([llm('a1', QWEN8), llm('b1', QWEN32, ['a1'])]);
    const plan = planOf({ 'gpu:0': ['a1'], 'gpu:1': ['b1'] });
    const r = await run(dag, plan);
    const a1 = ev(r, 'a1');
    const b1 = ev(r, 'b1');
    // gpu 1 has been loading qwen3_32b since 0 (until 54); b1 is sent when a1 ends (after 30) and
    // waits only for the rest of that load.
    expect(b1.startedAt).toBe(a1.endedAt);
    expect(b1.startedAt).toBeGreaterThan(30);
    expect(timing(r, 'b1')).toMatchObject({ gpu: 1, arrival_s: b1.startedAt });
    expect(timing(r, 'b1').model_load_s).toBeCloseTo(54 - b1.startedAt, 9);
    const latency = b1.endedAt - b1.startedAt;
    expect(latency).toBeCloseTo(timing(r, 'b1').latency_s, 9);
    expect(latency - timing(r, 'b1').model_load_s).toBeLessThan(10); // 200 tokens of a 32B model: a few seconds
    expect(r.cluster.metrics()[1]).toMatchObject({ model: 'Qwen/Qwen3-32B', modelSwitches: 1, modelLoadS: 54 });
    expect(r.makespan).toBeCloseTo(b1.endedAt, 9);

    // Without prepare the load starts only when b1 arrives: the whole 54 s, so the call takes as much
    // longer as the prefetch had already loaded.
    const lazy = await run(dag, plan, { prefetch: false });
    const lb1 = ev(lazy, 'b1');
    expect(lb1.startedAt).toBe(b1.startedAt);
    expect(timing(lazy, 'b1').model_load_s).toBe(54);
    expect(lb1.endedAt - lb1.startedAt).toBeCloseTo(latency + b1.startedAt, 9);
  });

  it('prefetch: when a GPU finishes its last call of a model, it loads the model of its next planned call', async () => {
    // gpu:0: a1 (qwen3_8b) then b (qwen3_32b), which waits for a four-call chain on gpu:1. Loads take 2 s.
    const dag = dagOf([llm('y1', QWEN8), llm('y2', QWEN8, ['y1']), llm('y3', QWEN8, ['y2']), llm('y4', QWEN8, ['y3']), llm('a1', QWEN8), llm('b', QWEN32, ['y4'])]);
    const plan = planOf({ 'gpu:1': ['y1', 'y2', 'y3', 'y4'], 'gpu:0': ['a1', 'b'] });
    const r = await run(dag, plan, { coldLoadS: 2 });
    const a1 = ev(r, 'a1');
    const b = ev(r, 'b');
    expect(timing(r, 'a1').model_load_s).toBe(2); // its model was loading since 0 (start prefetch)
    expect(b.startedAt).toBe(ev(r, 'y4').endedAt);
    // The qwen3_32b load ran from a1's end (2 s) and was done before b was sent.
    expect(b.startedAt).toBeGreaterThan(a1.endedAt + 2);
    expect(timing(r, 'b')).toMatchObject({ gpu: 0, model_load_s: 0, queue_s: 0 });
    expect(r.cluster.metrics()[0]).toMatchObject({ model: 'Qwen/Qwen3-32B', modelSwitches: 2, modelLoadS: 4 });

    const lazy = await run(dag, plan, { coldLoadS: 2, prefetch: false });
    expect(timing(lazy, 'b').model_load_s).toBe(2);
    expect(ev(lazy, 'b').endedAt - ev(lazy, 'b').startedAt).toBeCloseTo(b.endedAt - b.startedAt + 2, 9);
  });

  it('stops with an error, not a hang, on a dependency cycle', async () => {
    const dag = dagOf([llm('b', QWEN32, ['a']), llm('a', QWEN8, ['b'])]);
    await expect(run(dag, planOf({ 'gpu:0': ['a', 'b'] }))).rejects.toThrow(/execution stalled with 2 actions left/);
  });
});
