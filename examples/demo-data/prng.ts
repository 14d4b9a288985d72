// Seeded PRNG (mulberry32) and helpers for the demo data generator. Never Math.random:
// the same seed gives the same stream on every run, so generated files are byte-identical.

/** The fixed seed of the demo lakehouse; change DEMO_DATA_VERSION in generate.ts with it. */
export const DEMO_SEED = 20250102;

/** A deterministic random stream with the distributions the generators need. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  float(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `count` distinct elements of `items`, in their original order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** A random permutation of `items` (a new array). */
  shuffle<T>(items: readonly T[]): T[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, used to derive independent per-table streams from one seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A stream for one named purpose ("prices", "news/AAPL"...): independent of every other name. */
export function createRng(stream: string, seed: number = DEMO_SEED): Rng {
  const next = mulberry32((hashString(stream) ^ seed) >>> 0);
  const rng: Rng = {
    next,
    float: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = out[i] as T;
        out[i] = out[j] as T;
        out[j] = t;
      }
      return out;
    },
    sample: <T>(items: readonly T[], count: number): T[] => {
      const idx = rng.shuffle(items.map((_, i) => i)).slice(0, count);
      return idx.sort((x, y) => x - y).map((i) => items[i] as T);
    },
  };
  return rng;
}

/** Rounds to `digits` decimals (values in the tables are kept short and readable). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
