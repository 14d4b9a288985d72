// Where a GPU whose models have run out of work should go, by the cost model's arithmetic: to a
// model that still has work and no GPU first; else to the one with the most work left per GPU, if one
// more GPU (arriving after the move's wake or load) ends that work sooner. The planner's fluid
// replay and the runtime's dispatch both move GPUs by this rule.

/** A model a freed GPU could move to. */
export interface MoveCandidate {
  readonly name: string;
  /** Its work left, GPU-seconds. */
  readonly workS: number;
  /** GPUs holding it now (a co-located GPU counts as a share). */
  readonly gpus: number;
  /** Seconds a GPU needs to take it up (a wake, or a cold load). */
  readonly moveS: number;
}

/** The candidate a freed GPU helps most, or undefined when a move would help none (ties: by name). */
export function bestMove(candidates: Iterable<MoveCandidate>): string | undefined {
  let best: string | undefined;
  let bestEnd = 0;
  for (const c of [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const end = c.gpus > 0 ? c.workS / c.gpus : Infinity;
    if (end - (c.workS + c.moveS) / (c.gpus + 1) <= 0) continue;
    if (best === undefined || end > bestEnd) [best, bestEnd] = [c.name, end];
  }
  return best;
}
