// Convex contraction (ALGORITHMS.md §2): same-model text-only LLM nodes merge into super-nodes,
// edge by edge in topological order of the edge's source, and only when no other path joins the
// two groups, so the contracted graph stays a DAG (every group is convex).
import type { Action } from '../ir/action-dag.ts';
import { indexDag, type DagNode, type IndexedDag } from './graph.ts';

/** A node offered to contraction; `key` (e.g. the model name) is null when it may not merge. */
export interface ContractNode extends DagNode {
  readonly key: string | null;
}

/** A group of the contracted graph; a single node when nothing merged into it. */
export interface SuperNode {
  /** The id of its first member. */
  readonly id: string;
  readonly key: string | null;
  /** Members in topological order of the input. */
  readonly members: readonly string[];
  /** Ids of the groups it depends on, in group order. */
  readonly deps: readonly string[];
}

/** The contracted graph. */
export interface Contraction {
  /** Groups in a topological order of the contracted graph. */
  readonly groups: readonly SuperNode[];
  /** Node id → id of its group. */
  readonly groupOf: Readonly<Record<string, string>>;
}

/** The contraction key of an action: the model name for text-only LLM calls, else null. */
export function contractionKey(action: Action): string | null {
  return action.kind === 'llm' ? action.model.name : null;
}

/**
 * Contracts `nodes` (§2): for each edge (u, v) in topological order of u (then of v) whose ends
 * have the same non-null key and lie in different groups, merges the groups unless v's group is
 * reachable from u's by a path other than the direct edges between them. O(E·(V+E)).
 */
export function contractConvex(nodes: readonly ContractNode[]): Contraction {
  const g = indexDag(nodes);
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] ?? r;
    for (let x = i; x !== r; ) {
      const next = parent[x] ?? r;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const members = new Map<number, number[]>(nodes.map((_, i) => [i, [i]]));
  const successors = (group: number): Set<number> => {
    const out = new Set<number>();
    for (const m of members.get(group) ?? []) for (const c of g.children[m] ?? []) out.add(find(c));
    out.delete(group);
    return out;
  };
  /** Whether `to` is reachable from `from` through at least one third group. */
  const reachableIndirectly = (from: number, to: number): boolean => {
    const seen = new Set<number>([from]);
    const stack = [...successors(from)].filter((s) => s !== to);
    stack.forEach((s) => seen.add(s));
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      for (const t of successors(s)) {
        if (t === to) return true;
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
      }
    }
    return false;
  };
  for (const u of g.topo) {
    const ku = nodes[u]?.key ?? null;
    if (ku === null) continue;
    const targets = [...(g.children[u] ?? [])].sort((a, b) => (g.rank[a] ?? 0) - (g.rank[b] ?? 0));
    for (const v of targets) {
      if (nodes[v]?.key !== ku) continue;
      const gu = find(u);
      const gv = find(v);
      if (gu === gv || reachableIndirectly(gu, gv)) continue;
      const [keep, drop] = (g.rank[gu] ?? 0) <= (g.rank[gv] ?? 0) ? [gu, gv] : [gv, gu];
      parent[drop] = keep;
      members.set(keep, [...(members.get(keep) ?? []), ...(members.get(drop) ?? [])]);
      members.delete(drop);
    }
  }
  return quotient(nodes, g, members, find, successors);
}

/**
 * Whether `members` is convex in the graph of `nodes`: no node outside it is both reachable from it
 * and able to reach it (Desc(C) ∩ Anc(C) ⊆ C), so contracting it keeps the graph acyclic.
 */
export function isConvex(nodes: readonly DagNode[], members: readonly string[]): boolean {
  const g = indexDag(nodes);
  const inside = new Set(members.map((id) => g.index.get(id)));
  const walk = (next: readonly (readonly number[])[]): Set<number> => {
    const seen = new Set<number>();
    const stack = [...inside].filter((i): i is number => i !== undefined);
    for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
      for (const w of next[v] ?? []) {
        if (!seen.has(w)) {
          seen.add(w);
          stack.push(w);
        }
      }
    }
    return seen;
  };
  const anc = walk(g.deps);
  for (const v of walk(g.children)) if (anc.has(v) && !inside.has(v)) return false;
  return true;
}

/** The groups in topological order of the contracted graph (ties by their first member). */
function quotient(
  nodes: readonly ContractNode[],
  g: IndexedDag,
  members: ReadonlyMap<number, readonly number[]>,
  find: (i: number) => number,
  successors: (group: number) => Set<number>,
): Contraction {
  const sorted = new Map([...members].map(([r, list]) => [r, [...list].sort((a, b) => (g.rank[a] ?? 0) - (g.rank[b] ?? 0))]));
  const first = (group: number): number => g.rank[sorted.get(group)?.[0] ?? group] ?? 0;
  const idOf = (group: number): string => nodes[sorted.get(group)?.[0] ?? group]?.id ?? '';
  const roots = [...members.keys()].sort((a, b) => first(a) - first(b));
  const succ = new Map(roots.map((r) => [r, [...successors(r)]]));
  const indeg = new Map<number, number>(roots.map((r) => [r, 0]));
  for (const list of succ.values()) for (const s of list) indeg.set(s, (indeg.get(s) ?? 0) + 1);
  const order: number[] = [];
  const ready = roots.filter((r) => indeg.get(r) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => first(a) - first(b));
    const r = ready.shift() as number;
    order.push(r);
    for (const s of succ.get(r) ?? []) {
      const left = (indeg.get(s) ?? 0) - 1;
      indeg.set(s, left);
      if (left === 0) ready.push(s);
    }
  }
  if (order.length !== roots.length) throw new Error('internal: contraction produced a cycle');
  const position = new Map(order.map((r, i) => [r, i]));
  const groupOf: Record<string, string> = {};
  const groups = order.map((r): SuperNode => {
    const list = sorted.get(r) ?? [];
    for (const m of list) groupOf[nodes[m]?.id ?? ''] = idOf(r);
    const deps = new Set<number>();
    for (const m of list) for (const d of g.deps[m] ?? []) deps.add(find(d));
    deps.delete(r);
    const depIds = [...deps].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)).map(idOf);
    return { id: idOf(r), key: nodes[r]?.key ?? null, members: list.map((m) => nodes[m]?.id ?? ''), deps: depIds };
  });
  return { groups, groupOf };
}
