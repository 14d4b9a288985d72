// Batch selection by affinity (ALGORITHMS.md §5): slices that call the same models with similar
// system prompts and similar sizes batch well (shared weights, shared KV prefixes). The distance is
// D = 1 − (0.7·J(models) + 0.2·J(system-prompt tokens) + 0.1·(1 − |Ni−Nj| / max(Ni, Nj))), and a
// batch grows from its fixed slices (starved, then one per user) by average-linkage agglomeration.
import type { Slice } from './slicing.ts';

/** What the distance reads of a slice. */
export interface AffinityPoint {
  readonly models: readonly string[];
  readonly systemTokens: readonly string[];
  /** N: the model calls the slice makes. */
  readonly calls: number;
}

/** A slice's point: its job's profile, N = calls per input × its inputs. */
export function affinityPoint(s: Slice): AffinityPoint {
  return { models: s.profile.models, systemTokens: s.profile.systemTokens, calls: s.profile.callsPerInput * s.cost };
}

/** |A ∩ B| / |A ∪ B|; two empty sets are alike (1). */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size === 0 && sb.size === 0) return 1;
  let both = 0;
  for (const x of sa) if (sb.has(x)) both++;
  return both / (sa.size + sb.size - both);
}

/** The affinity distance in [0, 1]; 0 for equal points. Two slices of no calls have equal size. */
export function affinityDistance(a: AffinityPoint, b: AffinityPoint): number {
  const max = Math.max(a.calls, b.calls);
  const sizeGap = max === 0 ? 0 : Math.abs(a.calls - b.calls) / max;
  // The same formula as 1 − (0.7·J + 0.2·J + 0.1·(1 − gap)), written so equal points give exactly 0.
  return 0.7 * (1 - jaccard(a.models, b.models)) + 0.2 * (1 - jaccard(a.systemTokens, b.systemTokens)) + 0.1 * sizeGap;
}

/** Average linkage: the mean distance over every pair across two groups of item indexes. */
export function averageLinkage(a: readonly number[], b: readonly number[], dist: (i: number, j: number) => number): number {
  let sum = 0;
  for (const i of a) for (const j of b) sum += dist(i, j);
  return sum / (a.length * b.length);
}

/** Mean pairwise distance inside a group (0 for fewer than two): how tight a batch is. */
export function spread(group: readonly number[], dist: (i: number, j: number) => number): number {
  let sum = 0;
  let pairs = 0;
  for (let x = 0; x < group.length; x++) for (let y = x + 1; y < group.length; y++) {
    sum += dist(group[x] ?? 0, group[y] ?? 0);
    pairs++;
  }
  return pairs === 0 ? 0 : sum / pairs;
}

/** The selection problem over items 0..n-1 (their order is the fair order: ties go to the earlier). */
export interface TightestProblem {
  readonly n: number;
  readonly dist: (i: number, j: number) => number;
  /** Items that must be in the selection, in order (starved slices, then seeds). */
  readonly fixed: readonly number[];
  /** The selection's size B. */
  readonly limit: number;
  /** Whether a group of items may join the current selection (capacity); default always. */
  readonly fits?: (group: readonly number[], selection: readonly number[]) => boolean;
}

/**
 * The tightest selection of `limit` items containing `fixed`, by agglomerative average-linkage
 * clustering: every other item starts as its own cluster, and the closest pair of clusters (average
 * linkage) merges, where a pair is the selection and a cluster that fits in it, or two clusters that
 * together could still join it; ties go to merges into the selection, then to the earlier items.
 * When no merge is possible (the clusters left are too big for the room left), the closest single
 * item that fits joins. Returns item indexes, the fixed ones first, then in joining order.
 */
export function pickTightest(p: TightestProblem): number[] {
  const fits = p.fits ?? (() => true);
  const selection = [...p.fixed].slice(0, p.limit);
  const inSel = new Set(selection);
  let clusters: number[][] = [];
  for (let i = 0; i < p.n; i++) if (!inSel.has(i) && fits([i], [])) clusters.push([i]);
  if (selection.length === 0 && clusters.length > 0) selection.push(...(clusters.shift() ?? []));
  while (selection.length < p.limit && clusters.length > 0) {
    const room = p.limit - selection.length;
    let best: { d: number; into: boolean; first: number; a: number; b: number } | undefined;
    const better = (d: number, into: boolean, first: number): boolean =>
      best === undefined || d < best.d - 1e-12 || (Math.abs(d - best.d) <= 1e-12 && ((into && !best.into) || (into === best.into && first < best.first)));
    for (const [a, c] of clusters.entries()) {
      if (c.length > room || !fits(c, selection)) continue;
      const d = averageLinkage(selection, c, p.dist);
      if (better(d, true, c[0] ?? 0)) best = { d, into: true, first: c[0] ?? 0, a, b: -1 };
    }
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        const ca = clusters[a] ?? [];
        const cb = clusters[b] ?? [];
        if (ca.length + cb.length > room || !fits([...ca, ...cb], selection)) continue;
        const d = averageLinkage(ca, cb, p.dist);
        const first = Math.min(ca[0] ?? 0, cb[0] ?? 0);
        if (better(d, false, first)) best = { d, into: false, first, a, b };
      }
    }
    if (best === undefined) {
      // Clusters too big for the room left: dissolve them and let single items join.
      const singles = clusters.flat().sort((x, y) => x - y);
      if (singles.length === clusters.length) break;
      clusters = singles.map((i) => [i]);
      continue;
    }
    if (best.into) {
      selection.push(...(clusters[best.a] ?? []));
      clusters.splice(best.a, 1);
    } else {
      const merged = [...(clusters[best.a] ?? []), ...(clusters[best.b] ?? [])];
      clusters = clusters.filter((_, k) => k !== best?.a && k !== best?.b);
      clusters.push(merged);
      clusters.sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
    }
  }
  return selection;
}

/**
 * Seeds for fairness: one item per user of `users` (in that order: the round-robin order), until
 * `limit`, users already in `selected` skipped. A seed is that user's item closest (average linkage)
 * to what is selected so far (its first item when nothing is), so a user's odd item can be passed over.
 */
export function seedPerUser(userOf: readonly string[], users: readonly string[], dist: (i: number, j: number) => number, selected: readonly number[], limit: number, fits: (i: number, selection: readonly number[]) => boolean): number[] {
  const out = [...selected];
  const have = new Set(out.map((i) => userOf[i]));
  for (const u of users) {
    if (out.length >= limit) break;
    if (have.has(u)) continue;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < userOf.length; i++) {
      if (userOf[i] !== u || out.includes(i) || !fits(i, out)) continue;
      const d = out.length === 0 ? 0 : averageLinkage(out, [i], dist);
      if (d < bestD - 1e-12) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) continue;
    out.push(best);
    have.add(u);
  }
  return out;
}
