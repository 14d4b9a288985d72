// Turns per-epoch GPU choices into an EpochSchedule (assignment, per-worker order, epochs with
// their costs), checking feasibility on the way: an assigned node must be a ready GPU node, every
// epoch must run something, and the last epoch must leave nothing undone.
import {
  applyEpoch,
  compileProblem,
  cpuClosure,
  depsDone,
  epochCost,
  initialState,
  type CompiledProblem,
  type Epoch,
  type EpochProblem,
  type EpochSchedule,
} from './epoch-problem.ts';

/** Per epoch, the node index each GPU runs (-1: idle). */
export type EpochDecisions = readonly Int32Array[];

/** Replays `decisions` from the initial state; throws RangeError on an infeasible schedule. */
export function replay(c: CompiledProblem, decisions: EpochDecisions): EpochSchedule {
  const s = initialState(c);
  const assignment: Record<string, string> = {};
  const order: Record<string, string[]> = Object.fromEntries([...c.gpuIds, ...c.cpuSlots].map((w) => [w, []]));
  const epochs: Epoch[] = [];
  let clock = 0;
  let switches = 0;
  for (const assign of decisions) {
    if (assign.length !== c.gpuIds.length) throw new RangeError('an epoch must give one entry per GPU');
    const seen = new Set<number>();
    const gpu: Record<string, string> = {};
    for (let g = 0; g < assign.length; g++) {
      const v = assign[g] ?? -1;
      if (v < 0) continue;
      const id = c.ids[v] ?? '';
      if (v >= c.n || c.isGpu[v] !== 1) throw new RangeError(`'${id}' is not a GPU node`);
      if (s.done[v] === 1 || seen.has(v)) throw new RangeError(`'${id}' runs twice`);
      if (!depsDone(c, s, v)) throw new RangeError(`'${id}' runs before its dependencies`);
      seen.add(v);
      const w = c.gpuIds[g] ?? '';
      gpu[w] = id;
      assignment[id] = w;
      order[w]?.push(id);
      if ((s.resident[g] ?? -1) !== c.model[v]) switches++;
    }
    const cpu = cpuClosure(c, s);
    if (seen.size === 0 && cpu.nodes.length === 0) throw new RangeError('an epoch runs nothing');
    const byStart = cpu.nodes.map((_, k) => k).sort((a, b) => (cpu.start[a] ?? 0) - (cpu.start[b] ?? 0) || a - b);
    for (const k of byStart) {
      const id = c.ids[cpu.nodes[k] ?? 0] ?? '';
      const w = c.cpuSlots[cpu.slot[k] ?? 0] ?? '';
      assignment[id] = w;
      order[w]?.push(id);
    }
    const costS = epochCost(c, s, assign, cpu);
    epochs.push({ gpu, cpu: byStart.map((k) => c.ids[cpu.nodes[k] ?? 0] ?? ''), startS: clock, costS });
    clock += costS;
    applyEpoch(c, s, assign, cpu);
  }
  if (s.remaining > 0) throw new RangeError(`${s.remaining} node(s) never run`);
  return { assignment, order, epochs, makespanS: clock, switches };
}

/**
 * Evaluates a schedule given as, per epoch, GPU id → GPU node id (CPU nodes follow the model: they
 * run in the first epoch where their dependencies are met). Throws RangeError when infeasible.
 */
export function evaluateEpochs(problem: EpochProblem, gpuEpochs: readonly Readonly<Record<string, string>>[]): EpochSchedule {
  const c = compileProblem(problem);
  const index = new Map(c.ids.map((id, i) => [id, i]));
  const decisions = gpuEpochs.map((epoch) => {
    const assign = new Int32Array(c.gpuIds.length).fill(-1);
    for (const [w, id] of Object.entries(epoch)) {
      const g = c.gpuIds.indexOf(w);
      const v = index.get(id);
      if (g < 0) throw new RangeError(`unknown GPU '${w}'`);
      if (v === undefined) throw new RangeError(`unknown node '${id}'`);
      assign[g] = v;
    }
    return assign;
  });
  return replay(c, decisions);
}
