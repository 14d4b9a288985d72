// agentlake's dispatch of model calls to simulated GPUs (plan.residency, `planned` replicas): calls
// wait here, in the plan's priority order, and each GPU pulls the next one it has room for:
//   - a GPU serves the models of its current stint; once none of them has a call left to send and
//     none runs on it, it moves to the model with the most work left per GPU holding it (one no GPU
//     holds first) if one more GPU ends that work sooner even after the move (a wake or a cold
//     load), woken or loaded while it would idle anyway;
//   - a stint of several models without memory shares (sleep-mode swaps) serves one at a time, and
//     switches only when that one has nothing waiting and nothing running here;
//   - room is KV: each call reserves its expected prompt tokens not already sent to this GPU plus its
//     expected output, within the instance's budget (one call always fits), so the server never has
//     to pre-empt what it admitted; the least-loaded GPU pulls first;
//   - among the first waiting calls, a GPU takes the one whose prompt shares the longest prefix with
//     what it was already sent (its prefix cache), else the first in priority order; an idle GPU
//     thereby steals whatever work its model has waiting.
// Decisions are made only at quiet points the executor chooses (no CPU work running), so every
// simulated figure is reproducible.
import type { ActionId } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import type { CallCost, Residency, Stint } from '../ir/physical-plan.ts';
import type { ModelClient } from './model-client.ts';
import { TextRadix } from './text-radix.ts';
import { bestMove } from '../cost/moves.ts';

/** How many waiting calls, in priority order, a GPU looks through for a shared prefix. */
const LOOKAHEAD = 64;

interface Waiting {
  readonly id: ActionId;
  readonly text: string;
  readonly rank: number;
  readonly resolve: (gpu: number) => void;
}

interface GpuState {
  readonly index: number;
  /** What it holds now (undefined: nothing yet, a GPU the plan left for later moves). */
  stint: Stint | undefined;
  /** Sleep-mode stint: the model it serves now. */
  active: string | undefined;
  readonly inFlight: Map<string, number>;
  readonly reserved: Map<string, number>;
}

export class PlannedDispatch {
  private readonly gpus: GpuState[];
  private readonly waiting = new Map<string, Waiting[]>();
  /** Calls per model not yet sent and not settled: a model with none left frees its GPUs. */
  private readonly left = new Map<string, number>();
  /** The work (GPU-seconds) of those calls. */
  private readonly work = new Map<string, number>();
  private readonly open = new Set<ActionId>();
  private readonly modelOf = new Map<ActionId, string>();
  private readonly sent = new TextRadix();
  /** KV tokens each call in flight reserved. */
  private readonly holding = new Map<ActionId, number>();

  constructor(
    private readonly residency: Residency,
    calls: ReadonlyMap<ActionId, ModelRef>,
    private readonly clientFor: (m: ModelRef) => ModelClient,
    /** Asks the owner for a quiet point at which to call pump(). */
    private readonly wake: () => void,
  ) {
    this.gpus = [...residency.first].sort((a, b) => a[0] - b[0]).map(([index, stint]) => ({ index, stint, active: undefined, inFlight: new Map(), reserved: new Map() }));
    for (const [id, m] of calls) {
      this.open.add(id);
      this.modelOf.set(id, m.name);
      this.left.set(m.name, (this.left.get(m.name) ?? 0) + 1);
      this.work.set(m.name, (this.work.get(m.name) ?? 0) + (residency.calls.get(id)?.seconds ?? 0));
    }
  }

  /** Waits for a GPU to take call `id` (prompt `text`); resolves with it and its release, rejects on abort. */
  acquire(id: ActionId, text: string, rank: number, signal?: AbortSignal): Promise<{ readonly gpu: number; readonly release: () => void }> {
    const model = this.modelOf.get(id);
    if (model === undefined) return Promise.reject(new Error(`call ${id} is not planned on simulated GPUs`));
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(model) ?? [];
      let at = list.length;
      while (at > 0 && (list[at - 1]?.rank ?? 0) > rank) at--;
      const onAbort = (): void => {
        const mine = this.waiting.get(model);
        const i = mine?.findIndex((w) => w.id === id) ?? -1;
        if (i < 0) return;
        mine?.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      list.splice(at, 0, {
        id, text, rank,
        resolve: (gpu) => {
          signal?.removeEventListener('abort', onAbort);
          resolve({ gpu, release: this.releaser(id, model, gpu) });
        },
      });
      this.waiting.set(model, list);
      this.wake();
    });
  }

  /** Action `id` has finished (sent or not: one whose input failed is never sent). */
  settled(id: ActionId): void {
    if (this.open.has(id)) this.close(id);
    this.advanceAll();
  }

  /** Call `id` will not wait here again: sent, or settled without being sent. */
  private close(id: ActionId): void {
    this.open.delete(id);
    const model = this.modelOf.get(id);
    if (model === undefined) return;
    this.left.set(model, (this.left.get(model) ?? 1) - 1);
    this.work.set(model, Math.max(0, (this.work.get(model) ?? 0) - (this.residency.calls.get(id)?.seconds ?? 0)));
  }

  /** Sends every waiting call some GPU has room for. */
  pump(): void {
    for (;;) {
      let sentAny = false;
      for (const g of [...this.gpus].sort((a, b) => this.loadOf(a) - this.loadOf(b) || a.index - b.index)) {
        if (this.sendOne(g)) sentAny = true;
      }
      if (!sentAny && !this.unstick()) return;
    }
  }

  /**
   * Progress whatever the plan assumed: when no call runs on any GPU while calls of a model no GPU
   * holds are waiting (their model's GPUs wait on them), the GPU with nothing waiting for its models
   * (else the first) moves to that model. Returns whether it moved one.
   */
  private unstick(): boolean {
    if (this.gpus.some((g) => [...g.inFlight.values()].some((n) => n > 0))) return false;
    const stuck = [...this.waiting].find(([name, list]) => list.length > 0 && !this.gpus.some((g) => g.stint?.models.some((m) => m.name === name)))?.[0];
    const m = stuck === undefined ? undefined : this.residency.models.get(stuck);
    const g = this.gpus.find((x) => !(x.stint?.models.some((y) => (this.waiting.get(y.name)?.length ?? 0) > 0) ?? false)) ?? this.gpus[0];
    if (m === undefined || g === undefined) return false;
    this.moveTo(g, m);
    return true;
  }

  /** The share of its KV budgets a GPU has reserved. */
  private loadOf(g: GpuState): number {
    const s = g.stint;
    if (s === undefined) return Infinity;
    let used = 0;
    let budget = 0;
    s.models.forEach((m, i) => {
      used += g.reserved.get(m.name) ?? 0;
      budget += s.kvBudget[i] ?? 0;
    });
    return budget > 0 ? used / budget : Infinity;
  }

  /** The models GPU `g` takes calls for now. */
  private serving(g: GpuState): readonly { readonly model: string; readonly budget: number }[] {
    const s = g.stint;
    if (s === undefined) return [];
    const all = s.models.map((m, i) => ({ model: m.name, budget: s.kvBudget[i] ?? 0 }));
    if (s.memoryFractions !== undefined || all.length <= 1) return all;
    // Sleep-mode swaps: one model at a time; switch only when it has nothing waiting or running here.
    const active = g.active;
    const busy = active !== undefined && ((g.inFlight.get(active) ?? 0) > 0 || (this.waiting.get(active)?.length ?? 0) > 0);
    if (!busy) {
      let next: string | undefined;
      let head = Infinity;
      for (const { model } of all) {
        const r = this.waiting.get(model)?.[0]?.rank;
        if (r !== undefined && r < head) [next, head] = [model, r];
      }
      if (next !== undefined) g.active = next;
    }
    return all.filter((x) => x.model === g.active);
  }

  /** Sends GPU `g` the best waiting call it has room for; returns whether it sent one. */
  private sendOne(g: GpuState): boolean {
    let best: { readonly model: string; readonly list: Waiting[]; readonly at: number; readonly cost: number; readonly score: number; readonly budget: number } | undefined;
    for (const { model, budget } of this.serving(g)) {
      const list = this.waiting.get(model);
      if (!list || list.length === 0) continue;
      const n = Math.min(list.length, LOOKAHEAD);
      for (let i = 0; i < n; i++) {
        const w = list[i] as Waiting;
        const m = this.sent.matchFor(w.text, g.index);
        const score = w.text.length > 0 ? m / w.text.length : 0;
        if (best !== undefined && score <= best.score) continue;
        best = { model, list, at: i, cost: this.cost(w, m), score, budget };
      }
    }
    if (best === undefined) return false;
    const reserved = g.reserved.get(best.model) ?? 0;
    if ((g.inFlight.get(best.model) ?? 0) > 0 && reserved + best.cost > best.budget) return false;
    const [w] = best.list.splice(best.at, 1);
    if (w === undefined) return false;
    g.inFlight.set(best.model, (g.inFlight.get(best.model) ?? 0) + 1);
    g.reserved.set(best.model, reserved + best.cost);
    this.holding.set(w.id, best.cost);
    this.sent.insert(w.text, g.index);
    if (this.open.has(w.id)) this.close(w.id);
    w.resolve(g.index);
    return true;
  }

  /** KV tokens call `w` is expected to hold on a GPU that already has `matched` of its characters. */
  private cost(w: Waiting, matched: number): number {
    const t: CallCost | undefined = this.residency.calls.get(w.id);
    if (t === undefined) return 1;
    const fresh = w.text.length > 0 ? 1 - matched / w.text.length : 1;
    return Math.max(1, Math.ceil(t.prompt * fresh + t.output));
  }

  private releaser(id: ActionId, model: string, gpu: number): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const g = this.gpus.find((x) => x.index === gpu);
      if (g === undefined) return;
      g.inFlight.set(model, Math.max(0, (g.inFlight.get(model) ?? 1) - 1));
      g.reserved.set(model, Math.max(0, (g.reserved.get(model) ?? 0) - (this.holding.get(id) ?? 0)));
      this.holding.delete(id);
      this.advanceAll();
      this.wake();
    };
  }

  /** Moves every GPU whose models have nothing left to send, and nothing running on it, to where it helps most. */
  private advanceAll(): void {
    for (const g of this.gpus) {
      const s = g.stint;
      if (s === undefined) continue;
      const running = [...g.inFlight.values()].some((n) => n > 0);
      if (running || s.models.some((m) => (this.left.get(m.name) ?? 0) > 0)) continue;
      const to = this.moveTarget();
      const m = to === undefined ? undefined : this.residency.models.get(to);
      // Nowhere to help yet: it stays as it is, and is asked again at the next change.
      if (m === undefined) continue;
      this.moveTo(g, m);
    }
  }

  private moveTo(g: GpuState, m: { readonly model: ModelRef; readonly kvAlone: number }): void {
    g.active = undefined;
    g.reserved.clear();
    g.stint = { models: [m.model], kvBudget: [m.kvAlone] };
    this.clientFor(m.model).deploy?.(g.index, g.stint, false);
  }

  /** Where a freed GPU helps most (cost/moves.ts), among the models with calls left to send. */
  private moveTarget(): string | undefined {
    const candidates = [...this.residency.models].filter(([name]) => (this.left.get(name) ?? 0) > 0).map(([name, m]) => {
      let gpus = 0;
      for (const g of this.gpus) if (g.stint?.models.some((x) => x.name === name)) gpus += 1 / (g.stint.models.length || 1);
      return { name, workS: this.work.get(name) ?? 0, gpus, moveS: m.moveS };
    });
    return bestMove(candidates);
  }
}
