// The router in front of a model's replicas (the baselines' serving layer), deciding each call's GPU
// when the call is sent, from what a router knows: the requests it has in flight per replica and,
// for the cache-aware policy, the text it has routed to each. It never reads a server's state.
//   - power-of-two: Ray Serve's default request router — two replicas drawn at random, the one with
//     fewer requests in flight (Ray Serve LLM sets max_ongoing_requests to 1e9, so nothing queues at
//     the router).
//   - cache-aware: the SGLang router's default policy with its default settings — when the load is
//     imbalanced (max − min > 64 and max > 1.5 × min in-flight requests) the least-loaded replica;
//     else the replica that was sent the longest prefix of this prompt if it covers more than 30% of
//     it, else the replica whose routed text is smallest (the most free cache). The chosen replica's
//     tree grows by the prompt either way.
//   - round-robin: each replica in turn.
import type { RoutingPolicy } from '../ir/physical-plan.ts';
import { assertNever } from '../diag/assert-never.ts';
import { Prng } from '../util/prng.ts';
import { TextRadix } from './text-radix.ts';

/** The SGLang router's defaults (sgl-router RouterConfig: cache_threshold, balance_abs/rel_threshold). */
export const CACHE_AWARE = { cacheThreshold: 0.3, balanceAbs: 64, balanceRel: 1.5 } as const;

export class ReplicaRouter {
  private readonly inFlight: number[];
  private readonly tree = new TextRadix();
  private readonly rng: Prng;
  private turn = 0;

  constructor(
    readonly gpus: readonly number[],
    readonly policy: RoutingPolicy,
    seed: string,
  ) {
    if (gpus.length === 0) throw new RangeError('a router needs at least one replica');
    this.inFlight = gpus.map(() => 0);
    this.rng = new Prng(seed);
  }

  /** The GPU for a call whose prompt is `text`; counts it in flight until `release`. */
  pick(text: string): number {
    const i = this.choose(text);
    this.inFlight[i] = (this.inFlight[i] ?? 0) + 1;
    return this.gpus[i] ?? 0;
  }

  /** The call sent to `gpu` has finished. */
  release(gpu: number): void {
    const i = this.gpus.indexOf(gpu);
    if (i >= 0) this.inFlight[i] = Math.max(0, (this.inFlight[i] ?? 0) - 1);
  }

  private choose(text: string): number {
    const n = this.gpus.length;
    if (n === 1) return 0;
    switch (this.policy) {
      case 'round-robin':
        return this.turn++ % n;
      case 'power-of-two': {
        const a = this.rng.int(0, n - 1);
        const b = (a + this.rng.int(1, n - 1)) % n;
        return (this.inFlight[b] ?? 0) < (this.inFlight[a] ?? 0) ? b : a;
      }
      case 'cache-aware':
      // agentlake's dispatch (runtime/dispatch.ts) replaces the router; alone it routes as cache-aware.
      case 'planned':
        return this.cacheAware(text);
      default:
        return assertNever(this.policy, 'routing policy');
    }
  }

  private cacheAware(text: string): number {
    const loads = this.inFlight;
    const max = Math.max(...loads);
    const min = Math.min(...loads);
    let i: number;
    if (max - min > CACHE_AWARE.balanceAbs && max > CACHE_AWARE.balanceRel * min) {
      i = loads.indexOf(min);
    } else {
      const m = this.tree.match(text);
      i = m.tenant !== undefined && text.length > 0 && m.length / text.length > CACHE_AWARE.cacheThreshold ? m.tenant : this.smallestTree();
    }
    this.tree.insert(text, i);
    return i;
  }

  private smallestTree(): number {
    let best = 0;
    for (let i = 1; i < this.gpus.length; i++) if (this.tree.size(i) < this.tree.size(best)) best = i;
    return best;
  }
}
