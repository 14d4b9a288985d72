// agentlake's dispatch (runtime/dispatch.ts): calls wait in the engine and each GPU pulls what its KV
// budget holds, preferring the prompt whose prefix it was already sent; a GPU whose models have
// nothing left moves to where it helps most (a model no GPU holds first) and is deployed there; a
// sleep-mode stint serves one model at a time; and when nothing runs anywhere while a model no GPU
// holds has calls waiting, some GPU moves to it (no plan can stall the dispatch).
import { describe, expect, it } from 'vitest';
import type { ActionId } from '../../src/ir/action-dag.ts';
import type { ModelRef } from '../../src/ir/common.ts';
import type { CallCost, GpuDeployment, Residency, Stint } from '../../src/ir/physical-plan.ts';
import type { ModelClient } from '../../src/runtime/model-client.ts';
import { PlannedDispatch } from '../../src/runtime/dispatch.ts';

const model = (name: string, paramsB = 8): ModelRef => ({ name, kind: 'llm', endpoint: 'sim://', modelName: name, paramsB, version: 1 });
const A = model('a');
const B = model('b', 32);

interface Harness {
  readonly dispatch: PlannedDispatch;
  readonly deployed: { gpu: number; models: string[] }[];
  /** Acquires `id` and records where it went. */
  readonly send: (id: ActionId, text: string, rank?: number) => void;
  readonly sent: Map<ActionId, { gpu: number; release: () => void }>;
}

/** A dispatch over `first` stints, with `calls` (id → model, cost); pump runs at once on every wake. */
function harness(first: ReadonlyMap<number, Stint>, calls: ReadonlyMap<ActionId, { readonly model: ModelRef; readonly cost: CallCost }>, moveS = 2): Harness {
  const deployed: { gpu: number; models: string[] }[] = [];
  const client: ModelClient = {
    call: () => Promise.reject(new Error('not called')),
    deploy: (gpu: number, d: GpuDeployment) => deployed.push({ gpu, models: d.models.map((m) => m.name) }),
  };
  const residency: Residency = {
    first,
    calls: new Map([...calls].map(([id, c]) => [id, c.cost])),
    models: new Map([A, B].map((m) => [m.name, { model: m, kvAlone: 1000, moveS }])),
  };
  let dispatch: PlannedDispatch | undefined;
  let pending = false;
  dispatch = new PlannedDispatch(residency, new Map([...calls].map(([id, c]) => [id, c.model])), () => client, () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      dispatch?.pump();
    });
  });
  const sent = new Map<ActionId, { gpu: number; release: () => void }>();
  return {
    dispatch, deployed, sent,
    send: (id, text, rank = 0) => void dispatch?.acquire(id, text, rank).then((r) => sent.set(id, r)),
  };
}

const stint = (models: readonly ModelRef[], kvBudget: readonly number[], memoryFractions?: readonly number[]): Stint => ({ models, kvBudget, ...(memoryFractions ? { memoryFractions } : {}) });
const cost = (prompt: number, output: number, seconds = 1): CallCost => ({ prompt, output, seconds });
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('planned dispatch', () => {
  it('admits only what a GPU\'s KV budget holds; the next call goes when one finishes', async () => {
    const calls = new Map(['x', 'y', 'z'].map((id) => [id, { model: A, cost: cost(40, 20) }]));
    const h = harness(new Map([[0, stint([A], [130])]]), calls);
    for (const id of ['x', 'y', 'z']) h.send(id, `${id} shares no prefix`);
    await settle();
    // 60 tokens each (no prefix already sent): two fit in 130, the third waits.
    expect([...h.sent.keys()]).toEqual(['x', 'y']);
    h.sent.get('x')?.release();
    h.dispatch.settled('x');
    await settle();
    expect([...h.sent.keys()]).toEqual(['x', 'y', 'z']);
  });

  it('counts a prefix the GPU was already sent once: a sibling reserves only its new part', async () => {
    const shared = 'D'.repeat(400);
    const calls = new Map(['x', 'y', 'z'].map((id) => [id, { model: A, cost: cost(40, 20) }]));
    const h = harness(new Map([[0, stint([A], [130])]]), calls);
    h.send('x', `${shared} question x`, 0);
    await settle();
    h.send('y', `${shared} question y`, 1);
    h.send('z', `${shared} question z`, 2);
    await settle();
    // x reserved 60; y and z share 400 of their 411 characters with it: about 21 each.
    expect([...h.sent.keys()]).toEqual(['x', 'y', 'z']);
  });

  it('always admits one call, however large', async () => {
    const h = harness(new Map([[0, stint([A], [10])]]), new Map([['big', { model: A, cost: cost(500, 100) }]]));
    h.send('big', 'a very long prompt');
    await settle();
    expect(h.sent.get('big')?.gpu).toBe(0);
  });

  it('sends a call to the GPU already sent its prefix, and the first calls to the least-loaded GPUs', async () => {
    const shared = 'S'.repeat(200);
    const calls = new Map(['p', 'q', 'r'].map((id) => [id, { model: A, cost: cost(10, 10) }]));
    const h = harness(new Map([[0, stint([A], [1000])], [1, stint([A], [1000])]]), calls);
    h.send('p', `${shared} first`, 0);
    h.send('q', 'unrelated', 1);
    await settle();
    // Two GPUs, two calls sharing nothing: one each.
    expect(new Set([h.sent.get('p')?.gpu, h.sent.get('q')?.gpu])).toEqual(new Set([0, 1]));
    h.send('r', `${shared} second`, 2);
    await settle();
    expect(h.sent.get('r')?.gpu).toBe(h.sent.get('p')?.gpu);
  });

  it('takes calls in priority order', async () => {
    const calls = new Map(['late', 'early'].map((id) => [id, { model: A, cost: cost(60, 40) }]));
    const h = harness(new Map([[0, stint([A], [100])]]), calls);
    h.send('late', 'l', 5);
    h.send('early', 'e', 1);
    await settle();
    expect([...h.sent.keys()]).toEqual(['early']);
  });

  it('moves a GPU whose model has nothing left to the model no GPU holds, and deploys it there', async () => {
    const calls = new Map([['a1', { model: A, cost: cost(10, 10) }], ['b1', { model: B, cost: cost(10, 10) }]]);
    const h = harness(new Map([[0, stint([A], [1000])]]), calls);
    h.send('a1', 'for a');
    h.send('b1', 'for b');
    await settle();
    expect([...h.sent.keys()]).toEqual(['a1']);
    h.sent.get('a1')?.release();
    h.dispatch.settled('a1');
    await settle();
    expect(h.deployed).toEqual([{ gpu: 0, models: ['b'] }]);
    expect(h.sent.get('b1')?.gpu).toBe(0);
  });

  it('keeps a GPU where it is while its model has calls left to send, even none waiting yet', async () => {
    const calls = new Map([['a1', { model: A, cost: cost(10, 10) }], ['a2', { model: A, cost: cost(10, 10) }], ['b1', { model: B, cost: cost(10, 10) }]]);
    const h = harness(new Map([[0, stint([A], [1000])], [1, stint([B], [1000])]]), calls);
    h.send('a1', 'x');
    await settle();
    h.sent.get('a1')?.release();
    h.dispatch.settled('a1');
    await settle();
    // a2 is not ready yet (its input runs elsewhere), but it will come: GPU 0 stays on a.
    expect(h.deployed).toEqual([]);
    h.send('a2', 'y');
    await settle();
    expect(h.sent.get('a2')?.gpu).toBe(0);
  });

  it('serves one model at a time on a sleep-mode stint, switching when it has nothing waiting or running', async () => {
    const calls = new Map([['a1', { model: A, cost: cost(10, 10) }], ['b1', { model: B, cost: cost(10, 10) }]]);
    const h = harness(new Map([[0, stint([A, B], [1000, 1000])]]), calls);
    h.send('a1', 'x', 0);
    h.send('b1', 'y', 1);
    await settle();
    expect([...h.sent.keys()]).toEqual(['a1']);
    h.sent.get('a1')?.release();
    h.dispatch.settled('a1');
    await settle();
    expect(h.sent.get('b1')?.gpu).toBe(0);
  });

  it('serves co-located models side by side', async () => {
    const calls = new Map([['a1', { model: A, cost: cost(10, 10) }], ['b1', { model: B, cost: cost(10, 10) }]]);
    const h = harness(new Map([[0, stint([A, B], [500, 300], [0.6, 0.3])]]), calls);
    h.send('a1', 'x', 0);
    h.send('b1', 'y', 1);
    await settle();
    expect([...h.sent.keys()].sort()).toEqual(['a1', 'b1']);
  });

  it('lets a waiting call go when its run is cancelled', async () => {
    const calls = new Map(['x', 'y'].map((id) => [id, { model: A, cost: cost(60, 40) }]));
    const h = harness(new Map([[0, stint([A], [100])]]), calls);
    h.send('x', 'x alone');
    await settle();
    const abort = new AbortController();
    const waiting = h.dispatch.acquire('y', 'y alone', 1, abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    // Its slot was never taken: the GPU still holds only x.
    h.sent.get('x')?.release();
    h.dispatch.settled('x');
    h.dispatch.settled('y');
    await settle();
    expect([...h.sent.keys()]).toEqual(['x']);
  });

  it('never stalls: with nothing running, a GPU moves to a waiting model no GPU holds even though its own has calls left', async () => {
    // b's call waits; a still has a call left (a2 reads b1's answer), so no GPU would move by the rule.
    const calls = new Map([['a2', { model: A, cost: cost(10, 10) }], ['b1', { model: B, cost: cost(10, 10) }]]);
    const h = harness(new Map([[0, stint([A], [1000])]]), calls);
    h.send('b1', 'for b');
    await settle();
    expect(h.deployed).toEqual([{ gpu: 0, models: ['b'] }]);
    expect(h.sent.get('b1')?.gpu).toBe(0);
  });
});
