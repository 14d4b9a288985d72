// executeDag with the baselines' serving (replicas workers, routers, deployment, admission by input)
// on the in-process simulator, virtual time.
import { describe, expect, it } from 'vitest';
import type { ActionDag, ActionId, LlmAction } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import { executeDag, type ActionEvent } from '../../src/runtime/executor.ts';
import type { OperatorContext } from '../../src/runtime/operators.ts';
import type { PhysicalPlan, RoutingPolicy, WorkerRef } from '../../src/ir/physical-plan.ts';
import { SimClient } from '../../src/sim/sim-client.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimCluster } from '../../src/sim/cluster.ts';
import type { Database } from '../../src/storage/duckdb.ts';

const QWEN8: ModelRef = { name: 'qwen3_8b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-8B', paramsB: 8, version: 1 };
const QWEN32: ModelRef = { name: 'qwen3_32b', kind: 'llm', endpoint: 'sim://', modelName: 'Qwen/Qwen3-32B', paramsB: 32, version: 1 };
const LLAVA: ModelRef = { name: 'llava', kind: 'llm', endpoint: 'sim://', modelName: 'llava-hf/llava-1.5-7b-hf', paramsB: 7, version: 1 };

function llm(id: ActionId, input: number, deps: readonly ActionId[] = [], model: ModelRef = QWEN8): LlmAction {
  return { kind: 'llm', id, step: id, input, deps, model, decoding: { temperature: 0, maxTokens: 64 }, system: [], prompt: [{ kind: 'text', text: `Task ${id}: write a short note.` }] };
}

/** Every call on one replicas worker over `gpus`, in DAG order. */
function replicaPlan(dag: ActionDag, gpus: readonly number[], routing: RoutingPolicy, extra: Partial<PhysicalPlan> = {}): PhysicalPlan {
  const worker: WorkerRef = { kind: 'replicas', model: QWEN8.name, gpus, routing };
  return {
    workers: new Map([['replicas:qwen3_8b', worker]]),
    assignment: new Map(dag.actions.map((a) => [a.id, 'replicas:qwen3_8b'])),
    order: new Map([['replicas:qwen3_8b', dag.actions.map((a) => a.id)]]),
    window: new Map([['replicas:qwen3_8b', Number.MAX_SAFE_INTEGER]]),
    ...extra,
  };
}

async function run(dag: ActionDag, plan: PhysicalPlan, gpus: number, warm: boolean): Promise<{ cluster: SimCluster; events: ActionEvent[] }> {
  const clock = new VirtualClock();
  const cluster = new SimCluster({ clock, gpus });
  const sim = new SimClient(cluster);
  const ctx: OperatorContext = {
    db: undefined as unknown as Database,
    sql: () => {
      throw new Error('no SQL here');
    },
    readObject: async (key) => {
      throw new Error(`no object ${key}`);
    },
    writeObject: async () => undefined,
    clientFor: () => sim,
    signal: new AbortController().signal,
    clock: () => clock.now(),
    hold: () => clock.hold(),
  };
  const events: ActionEvent[] = [];
  await executeDag(dag, ctx, { plan, deterministic: true, warm, onEvent: (e) => events.push(e) });
  return { cluster, events };
}

const dagOf = (inputs: number, actions: readonly LlmAction[]): ActionDag => ({ kind: 'action_dag', source: 'test', inputs: Array.from({ length: inputs }, (_, i) => ({ index: i, values: {}, outputs: [] })), actions });
const served = (c: SimCluster): number[] => c.metrics().map((g) => g.requestSuccess.stop + g.requestSuccess.length);

describe('replicas behind a router', () => {
  const dag = dagOf(1, Array.from({ length: 8 }, (_, i) => llm(`p${i}`, 0)));

  it('round-robin spreads 8 calls 4 and 4 over two GPUs; each call reports the GPU it ran on', async () => {
    const { cluster, events } = await run(dag, replicaPlan(dag, [0, 1], 'round-robin'), 2, false);
    expect(served(cluster)).toEqual([4, 4]);
    expect(events.filter((e) => e.worker === 'gpu:0')).toHaveLength(4);
    expect(events.filter((e) => e.worker === 'gpu:1')).toHaveLength(4);
  });

  it('only the replicas\' GPUs serve: a third GPU outside the worker stays idle', async () => {
    const { cluster } = await run(dag, replicaPlan(dag, [1, 2], 'power-of-two'), 3, false);
    const n = served(cluster);
    expect(n[0]).toBe(0);
    expect((n[1] ?? 0) + (n[2] ?? 0)).toBe(8);
  });

  it('a warm deployment loads nothing; a cold one loads each replica from time 0', async () => {
    const deployment = new Map([[0, { models: [QWEN8] }], [1, { models: [QWEN8] }]]);
    const warm = await run(dag, replicaPlan(dag, [0, 1], 'round-robin', { deployment }), 2, true);
    expect(warm.cluster.metrics().map((g) => g.modelLoadS)).toEqual([0, 0]);
    const cold = await run(dag, replicaPlan(dag, [0, 1], 'round-robin', { deployment }), 2, false);
    // Both GPUs start loading at t = 0 (30 s for the 8B model), not when their first call arrives.
    expect(cold.cluster.metrics().map((g) => g.modelLoadS)).toEqual([30, 30]);
    expect(Math.min(...cold.events.map((e) => e.endedAt))).toBeGreaterThan(30);
  });
});

describe('admission by input (langgraph)', () => {
  // Three inputs of three independent calls each; two inputs in flight.
  const dag = dagOf(3, [0, 1, 2].flatMap((i) => [llm(`a${i}`, i), llm(`b${i}`, i), llm(`c${i}`, i)]));

  it('runs an input\'s steps one at a time and starts a third input only when one has finished', async () => {
    const { events } = await run(dag, replicaPlan(dag, [0], 'round-robin', { admission: { inFlight: 2 } }), 1, true);
    const byInput = (i: number): ActionEvent[] => events.filter((e) => e.action.input === i).sort((x, y) => x.startedAt - y.startedAt);
    for (const i of [0, 1, 2]) {
      const list = byInput(i);
      expect(list).toHaveLength(3);
      for (let k = 1; k < list.length; k++) expect(list[k]?.startedAt ?? 0).toBeGreaterThanOrEqual(list[k - 1]?.endedAt ?? Infinity);
    }
    const end = (i: number): number => Math.max(...byInput(i).map((e) => e.endedAt));
    expect(byInput(2)[0]?.startedAt ?? 0).toBeGreaterThanOrEqual(Math.min(end(0), end(1)));
    // Inputs 0 and 1 start together.
    expect(byInput(0)[0]?.startedAt).toBe(0);
    expect(byInput(1)[0]?.startedAt).toBe(0);
  });
});

describe('a GPU deployed with two models', () => {
  /** Every call of each model on its own replicas worker over GPU 0. */
  function twoModels(dag: ActionDag, deployment: PhysicalPlan['deployment']): PhysicalPlan {
    const models = [...new Set(dag.actions.map((a) => ('model' in a ? a.model.name : '')))];
    const workers = new Map(models.map((m): [string, WorkerRef] => [`replicas:${m}`, { kind: 'replicas', model: m, gpus: [0], routing: 'round-robin' }]));
    return {
      workers,
      assignment: new Map(dag.actions.map((a) => [a.id, `replicas:${'model' in a ? a.model.name : ''}`])),
      order: new Map(models.map((m) => [`replicas:${m}`, dag.actions.filter((a) => 'model' in a && a.model.name === m).map((a) => a.id)])),
      window: new Map(models.map((m) => [`replicas:${m}`, Number.MAX_SAFE_INTEGER])),
      ...(deployment ? { deployment } : {}),
    };
  }

  it('co-located (warm): both serve at once, no load and no switch', async () => {
    const dag = dagOf(1, [llm('a', 0, [], QWEN8), llm('b', 0, [], LLAVA), llm('c', 0, [], QWEN8)]);
    const { cluster } = await run(dag, twoModels(dag, new Map([[0, { models: [QWEN8, LLAVA], memoryFractions: [0.6, 0.3] }]])), 1, true);
    const m = cluster.metrics()[0];
    expect([m?.modelLoadS, m?.modelSwitches]).toEqual([0, 0]);
    expect(m?.models.map((x) => x.model).sort()).toEqual(['Qwen/Qwen3-8B', 'llava-hf/llava-1.5-7b-hf']);
  });

  it('sleep mode (warm): the sleeping model\'s first call pays a 2 s wake, not a 30 s cold load', async () => {
    const dag = dagOf(1, [llm('a', 0, [], QWEN8)]);
    const { cluster } = await run(dag, twoModels(dag, new Map([[0, { models: [QWEN32, QWEN8] }]])), 1, true);
    // 0.4 s + 16 GB of bf16 weights at 10 GB/s.
    expect(cluster.metrics()[0]?.modelLoadS).toBeCloseTo(2, 9);
  });
});
