// A fluid replay of a batch's model work over time, to choose what each GPU holds when: each model's
// work (GPU-seconds at full batch) drains at one GPU-second per second per GPU holding it (1/k of a
// GPU co-located by k models; a sleep-mode GPU serves one model while it has work it may do, then
// swaps after a wake or load), from when the GPU's first load is done, but never ahead of the models upstream of it — a model whose calls read
// another's outputs has done at most the share of its work that the upstream one has (the runtime
// finishes inputs in order, so work flows through the models input by input). When a GPU's models
// have no work left, it moves where cost/moves.ts `bestMove` sends it, as the runtime's dispatch does. Pure arithmetic over a handful of models.
import type { ModelRef } from '../ir/common.ts';
import { bestMove } from '../cost/moves.ts';

/** One model's part of the replay. */
export interface FluidModel {
  readonly model: ModelRef;
  /** GPU-seconds at full batch. */
  readonly seconds: number;
  /** Models whose outputs this one's calls read (directly or through other steps), none of them reading this one's. */
  readonly upstream: readonly string[];
}

/** A GPU's move to `model` at `startS` (estimated). */
export interface Move {
  readonly model: ModelRef;
  readonly startS: number;
}

export interface FluidResult {
  readonly moves: ReadonlyMap<number, readonly Move[]>;
  /** When the last model's work ends. */
  readonly makespanS: number;
}

/** What a GPU holds in the replay: its models, when it is ready, and (sleep-mode swaps) the one it serves. */
interface Hold {
  readonly names: readonly string[];
  readyAt: number;
  active?: string;
}

/** Replay resolution: the batch's total work is cut into this many steps at most. */
const STEPS = 4000;

/**
 * Replays `models` from the start `modelsOn` (GPU → the models it holds, one alone or several
 * shared; models on no GPU wait for one to move to them), each GPU ready after `startS(models)` (a
 * cold start's loads; 0 warm); `moveS` is the cost of a move to a model.
 */
export function fluidReplay(models: ReadonlyMap<string, FluidModel>, modelsOn: ReadonlyMap<number, readonly string[]>, gpus: number, moveS: (m: ModelRef) => number, startS: (names: readonly string[]) => number = () => 0, colocated: ReadonlySet<number> = new Set()): FluidResult {
  const done = new Map<string, number>();
  const holds = new Map<number, Hold>();
  for (const [gpu, names] of modelsOn) {
    const sleep = names.length > 1 && !colocated.has(gpu);
    holds.set(gpu, { names, readyAt: startS(sleep ? names.slice(0, 1) : names), ...(sleep ? { active: names[0] } : {}) });
  }
  const total = [...models.values()].reduce((s, m) => s + m.seconds, 0);
  const dt = Math.max(1e-3, (total / Math.max(1, gpus) / STEPS) * 4);
  const left = (n: string): number => (models.get(n)?.seconds ?? 0) - (done.get(n) ?? 0);
  const progress = (n: string): number => {
    const w = models.get(n)?.seconds ?? 0;
    return w > 0 ? Math.min(1, (done.get(n) ?? 0) / w) : 1;
  };
  /** GPUs serving `n` at `t` (1/k for k co-located; a sleep-mode GPU serves its active model), and those on their way to it. */
  const rateAt = (n: string, t: number, coming: boolean): number => {
    let r = 0;
    for (const h of holds.values()) {
      if (!h.names.includes(n) || (!coming && h.readyAt > t)) continue;
      r += h.active === undefined ? 1 / h.names.length : h.active === n ? 1 : 0;
    }
    return r;
  };
  /** Sleep-mode GPUs whose active model has nothing it may do now swap to one that has (after the wake or load). */
  const swap = (t: number, ready: (n: string) => boolean): void => {
    for (const h of holds.values()) {
      if (h.active === undefined || h.readyAt > t || ready(h.active)) continue;
      const next = h.names.find((n) => n !== h.active && ready(n));
      const m = next === undefined ? undefined : models.get(next)?.model;
      if (next === undefined || m === undefined) continue;
      h.active = next;
      h.readyAt = t + moveS(m);
    }
  };
  /** Work `n` may do now: no further ahead than its upstream models' share of theirs. */
  const available = (n: string): number => {
    const m = models.get(n);
    if (m === undefined) return 0;
    const gate = m.upstream.length === 0 ? 1 : Math.min(...m.upstream.map(progress));
    return Math.max(0, m.seconds * gate - (done.get(n) ?? 0));
  };
  const moves = new Map<number, Move[]>();
  const finished = new Set<string>();
  for (const [n, m] of models) if (m.seconds <= 0) finished.add(n);
  let t = 0;
  for (let step = 0; finished.size < models.size && step < STEPS * 50; step++) {
    // While every GPU with work ahead is still loading, jump to the first that is ready.
    const serving = [...holds.values()].filter((h) => h.names.some((n) => !finished.has(n)));
    const waitUntil = Math.min(...serving.map((h) => h.readyAt));
    if (serving.length > 0 && waitUntil > t + dt) t = waitUntil - dt;
    t += dt;
    swap(t, (n) => !finished.has(n) && available(n) > 1e-9);
    for (const n of models.keys()) {
      if (finished.has(n)) continue;
      const r = rateAt(n, t, false);
      if (r > 0) done.set(n, (done.get(n) ?? 0) + Math.min(r * dt, available(n), left(n)));
    }
    for (const [n] of models) {
      if (finished.has(n) || left(n) > 1e-9) continue;
      finished.add(n);
      for (const [gpu, h] of [...holds].sort((a, b) => a[0] - b[0])) {
        if (!h.names.includes(n) || !h.names.every((x) => finished.has(x))) continue;
        const to = bestMove([...models].filter(([x]) => !finished.has(x)).map(([x, fm]) => ({ name: x, workS: left(x), gpus: rateAt(x, t, true), moveS: moveS(fm.model) })));
        const m = to === undefined ? undefined : models.get(to)?.model;
        if (to === undefined || m === undefined) {
          holds.delete(gpu);
          continue;
        }
        moves.set(gpu, [...(moves.get(gpu) ?? []), { model: m, startS: t }]);
        holds.set(gpu, { names: [to], readyAt: t + moveS(m) });
      }
    }
  }
  return { moves, makespanS: Math.round(t * 10) / 10 };
}
