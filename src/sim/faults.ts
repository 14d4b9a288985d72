// Fault injection for tests: HTTP 500/429 errors, malformed JSON where a schema was asked, and
// latency spikes, all drawn from one seeded PRNG. Every draw consumes the same number of values
// whatever the rates, so a run with the same seed and request order fails the same requests.
import { Prng } from '../util/prng.ts';

/** Fault rates (each in [0, 1]); all default to 0. */
export interface FaultOptions {
  readonly seed?: number;
  /** Share of requests answered with an error instead of a result. */
  readonly errorRate?: number;
  /** Share of those errors that are 429 (rate limited); the rest are 500. Default 0.5. */
  readonly rateLimitShare?: number;
  /** Share of JSON-format requests whose output is cut into invalid JSON. */
  readonly malformedRate?: number;
  /** Share of requests delayed by `spikeS` extra simulated seconds. */
  readonly spikeRate?: number;
  /** Length of a latency spike in simulated seconds (default 5). */
  readonly spikeS?: number;
}

/** The faults drawn for one request. */
export interface FaultDraw {
  readonly error: 429 | 500 | undefined;
  readonly malformed: boolean;
  readonly spikeS: number;
}

/** Counts of faults injected so far. */
export interface FaultCounts {
  readonly draws: number;
  readonly errors500: number;
  readonly errors429: number;
  readonly malformed: number;
  readonly spikes: number;
}

function rate(x: number | undefined, name: string): number {
  const v = x ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`fault ${name} must be in [0, 1], got ${v}`);
  return v;
}

/** Seeded fault source; one `draw()` per request, in submission order. */
export class FaultInjector {
  private readonly rng: Prng;
  private readonly errorRate: number;
  private readonly rateLimitShare: number;
  private readonly malformedRate: number;
  private readonly spikeRate: number;
  private readonly spikeS: number;
  private n = { draws: 0, errors500: 0, errors429: 0, malformed: 0, spikes: 0 };

  constructor(options: FaultOptions = {}) {
    this.rng = new Prng(options.seed ?? 0);
    this.errorRate = rate(options.errorRate, 'errorRate');
    this.rateLimitShare = rate(options.rateLimitShare ?? 0.5, 'rateLimitShare');
    this.malformedRate = rate(options.malformedRate, 'malformedRate');
    this.spikeRate = rate(options.spikeRate, 'spikeRate');
    this.spikeS = options.spikeS ?? 5;
  }

  /** Whether any fault can ever fire. */
  get active(): boolean {
    return this.errorRate > 0 || this.malformedRate > 0 || this.spikeRate > 0;
  }

  /** The faults of the next request (malformed only counts where `wantsJson`). */
  draw(wantsJson: boolean): FaultDraw {
    const [e, kind, m, s] = [this.rng.next(), this.rng.next(), this.rng.next(), this.rng.next()];
    this.n.draws++;
    const error = e < this.errorRate ? (kind < this.rateLimitShare ? 429 : 500) : undefined;
    if (error === 429) this.n.errors429++;
    if (error === 500) this.n.errors500++;
    const malformed = error === undefined && wantsJson && m < this.malformedRate;
    if (malformed) this.n.malformed++;
    const spike = error === undefined && s < this.spikeRate;
    if (spike) this.n.spikes++;
    return { error, malformed, spikeS: spike ? this.spikeS : 0 };
  }

  /** Faults injected so far. */
  counts(): FaultCounts {
    return { ...this.n };
  }
}

/** Invalid JSON made from valid JSON text: cut before its last closing bracket or quote. */
export function malformJson(text: string): string {
  const cut = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'), text.lastIndexOf('"'));
  return cut > 0 ? `${text.slice(0, cut)},` : `${text}{`;
}
