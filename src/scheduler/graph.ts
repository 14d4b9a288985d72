// Index-based view of a DAG given as nodes with ids and dependency ids, plus a stable topological
// order (Kahn's algorithm, lowest input position first among ready nodes). Throws on a cycle: the
// optimizer's inputs are DAGs by construction, so a cycle is an internal bug, not a user error.
import { MinHeap } from '../util/min-heap.ts';

/** A node of a dependency graph: its dependencies must finish before it starts. */
export interface DagNode {
  readonly id: string;
  readonly deps: readonly string[];
}

/** The graph by position: `deps`/`children` hold input positions; `topo` lists positions in order. */
export interface IndexedDag {
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly deps: readonly (readonly number[])[];
  readonly children: readonly (readonly number[])[];
  /** Stable topological order: a node comes after its dependencies, ties by input position. */
  readonly topo: readonly number[];
  /** Position of each node in `topo`. */
  readonly rank: readonly number[];
}

/**
 * Indexes `nodes`. Dependencies on ids outside `nodes` throw with `unknown: 'error'`, or are
 * dropped with `unknown: 'ignore'` (work that finished before this graph runs). Duplicate
 * dependencies count once.
 */
export function indexDag(nodes: readonly DagNode[], unknown: 'error' | 'ignore' = 'error'): IndexedDag {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (index.has(n.id)) throw new RangeError(`duplicate node id '${n.id}'`);
    index.set(n.id, i);
  });
  const deps: number[][] = nodes.map(() => []);
  const children: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const seen = new Set<number>();
    for (const d of n.deps) {
      const j = index.get(d);
      if (j === undefined) {
        if (unknown === 'error') throw new RangeError(`node '${n.id}' depends on unknown node '${d}'`);
        continue;
      }
      if (seen.has(j)) continue;
      seen.add(j);
      deps[i]?.push(j);
      children[j]?.push(i);
    }
  });
  for (const list of children) list.sort((a, b) => a - b);
  const pending = deps.map((d) => d.length);
  const ready = new MinHeap<number>((a, b) => a < b);
  pending.forEach((p, i) => p === 0 && ready.push(i));
  const topo: number[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    topo.push(i);
    for (const c of children[i] ?? []) {
      const left = (pending[c] ?? 0) - 1;
      pending[c] = left;
      if (left === 0) ready.push(c);
    }
  }
  if (topo.length !== nodes.length) throw new RangeError('dependency cycle');
  const rank = new Array<number>(nodes.length).fill(0);
  topo.forEach((v, r) => (rank[v] = r));
  return { ids: nodes.map((n) => n.id), index, deps, children, topo, rank };
}
