// Seeded synthetic epoch problems shaped like a workflow batch (per input: a SQL root, a chain of
// model calls with occasional fan-out, a format step, a final call), for tests and bench/ timings.
// Costs are made up but plausible in seconds; the default switch cost is the §6 cold load.
import { Prng } from '../util/prng.ts';
import type { EpochProblem, PlanNode } from './epoch-problem.ts';

/** Shape of a synthetic problem. */
export interface SyntheticBatchOptions {
  readonly seed: number | string;
  /** Nodes in all (the last pipeline is cut to fit). */
  readonly nodes: number;
  readonly gpus: number;
  /** Distinct models used by GPU nodes. */
  readonly models: number;
  /** CPU slots; 2 when absent. */
  readonly cpuSlots?: number;
}

/** A deterministic problem: pipelines of cpu → gpu chain (with fan-out) → cpu → gpu, until `nodes`. */
export function syntheticBatch(options: SyntheticBatchOptions): EpochProblem {
  const rng = new Prng(options.seed);
  const models = Array.from({ length: Math.max(1, options.models) }, (_, i) => `m${i + 1}`);
  const nodes: PlanNode[] = [];
  const gpu = (deps: string[]): string => {
    const id = `g${nodes.length}`;
    const model = rng.pick(models);
    nodes.push({ kind: 'gpu', id, deps, model, eligibleS: round(rng.next() * 4), invariantS: round(1 + rng.next() * 19) });
    return id;
  };
  const cpu = (deps: string[]): string => {
    const id = `c${nodes.length}`;
    nodes.push({ kind: 'cpu', id, deps, cpuS: round(0.01 + rng.next() * 0.5) });
    return id;
  };
  while (nodes.length < options.nodes) {
    const steps: (() => void)[] = [];
    let frontier = [cpu([])];
    const chain = rng.int(1, 4);
    for (let k = 0; k < chain; k++) {
      steps.push(() => {
        const fan = rng.next() < 0.25 ? 2 : 1;
        frontier = Array.from({ length: fan }, () => gpu([...frontier]));
      });
    }
    steps.push(() => (frontier = [cpu([...frontier])]));
    steps.push(() => (frontier = [gpu([...frontier])]));
    for (const step of steps) if (nodes.length < options.nodes) step();
  }
  nodes.length = options.nodes;
  return {
    nodes,
    gpus: Array.from({ length: options.gpus }, (_, i) => ({ id: `gpu${i}`, resident: null })),
    cpuSlots: Array.from({ length: options.cpuSlots ?? 2 }, (_, i) => `cpu${i}`),
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
