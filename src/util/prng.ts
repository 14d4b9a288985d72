// Seeded pseudo-random numbers for the simulator: a content hash (SHA-256) to seed from, and a
// small fast generator (sfc32). Same seed, same sequence, on every platform.
import { createHash } from 'node:crypto';

/** SHA-256 hex of the parts, joined with NUL so ('ab','c') and ('a','bc') differ. */
export function contentHash(...parts: readonly string[]): string {
  const h = createHash('sha256');
  parts.forEach((p, i) => {
    if (i > 0) h.update('\0');
    h.update(p);
  });
  return h.digest('hex');
}

/** Deterministic generator (sfc32) seeded from a number or a hex/any string. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    const hex = contentHash(typeof seed === 'number' ? `n:${seed}` : `s:${seed}`);
    this.a = parseInt(hex.slice(0, 8), 16) | 0;
    this.b = parseInt(hex.slice(8, 16), 16) | 0;
    this.c = parseInt(hex.slice(16, 24), 16) | 0;
    this.d = parseInt(hex.slice(24, 32), 16) | 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty array');
    return item;
  }

  /** Standard normal (Box-Muller). */
  gaussian(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
