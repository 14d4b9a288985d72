// One continuous-batching step of a simulated GPU, vLLM V1 style: decodes first, then ongoing
// chunked prefills, then new requests FIFO while the token budget, seats and KV blocks allow;
// and what the step did once its simulated time has passed.
import { encoderSeconds, type DeviceProfile, type PrefillChunk } from '../cost/cost-model.ts';
import type { EncoderCache } from './encoder-cache.ts';
import type { GpuJob, GpuTiming } from './gpu-job.ts';
import type { ModelStats } from './metrics.ts';
import type { SimModelSpec } from './models.ts';
import type { CacheHold, PrefixCache } from './prefix-cache.ts';

/** A request inside a GPU, waiting or running. */
export interface Seq {
  readonly job: GpuJob;
  readonly arrivalS: number;
  /** Orders requests that arrived at the same simulated instant: the submitter's order, else arrival order. */
  readonly tie: number;
  readonly loadAtArrival: number;
  readonly resolve: (t: GpuTiming) => void;
  readonly reject: (e: unknown) => void;
  detach: () => void;
  aborted: boolean;
  hold: CacheHold | undefined;
  admittedS: number;
  firstTokenS: number;
  /** Prompt tokens whose KV exists (cached prefix + prefilled chunks). */
  computed: number;
  generated: number;
}

/** What one step runs. */
export interface Plan {
  readonly decode: readonly Seq[];
  readonly chunks: readonly { readonly seq: Seq; readonly tokens: number }[];
  readonly prefill: readonly PrefillChunk[];
  readonly encoderS: number;
}

/** The GPU state a step reads and updates (the arrays are changed in place). */
export interface StepState {
  readonly waiting: Seq[];
  readonly running: Seq[];
  readonly cache: PrefixCache;
  readonly encoders: EncoderCache;
  readonly device: DeviceProfile;
  /** The resident model. */
  readonly model: SimModelSpec;
  /** Simulated time at the start of the step. */
  readonly t: number;
  readonly maxNumSeqs: number;
  readonly maxBatchedTokens: number;
}

/** Plans one step: admits new requests (moving them from waiting to running) and picks chunks. */
export function planStep(s: StepState): Plan {
  let budget = s.maxBatchedTokens;
  const decode = s.running.filter((q) => q.computed >= q.job.promptIds.length);
  budget -= decode.length;
  const chunks: { seq: Seq; tokens: number }[] = [];
  const prefill: PrefillChunk[] = [];
  let encoderS = 0;
  const addChunk = (seq: Seq): void => {
    const tokens = Math.min(seq.job.promptIds.length - seq.computed, budget);
    if (tokens <= 0) return;
    chunks.push({ seq, tokens });
    prefill.push({ newTokens: tokens, contextTokens: seq.computed });
    budget -= tokens;
    // Blocks are published when scheduled (as vLLM V1 does), so later admissions can hit them.
    if (seq.hold !== undefined) s.cache.insert(seq.hold, seq.job.promptIds, seq.computed + tokens);
  };
  for (const seq of s.running) if (seq.computed < seq.job.promptIds.length) addChunk(seq);
  while (budget > 0 && s.running.length < s.maxNumSeqs) {
    const head = s.waiting[0];
    if (head === undefined || head.job.model.id !== s.model.id || head.job.exclusiveS !== undefined) break;
    // A real-time GPU that fell behind its clock catches up before it sees later arrivals.
    if (head.arrivalS > s.t) break;
    const hold = s.cache.acquire(head.job.promptIds, head.job.promptIds.length + head.job.outTokens);
    if (hold === undefined) break;
    s.waiting.shift();
    s.running.push(head);
    [head.hold, head.computed, head.admittedS] = [hold, hold.cachedTokens, s.t];
    for (const image of head.job.images ?? []) {
      if (s.encoders.touch(image.hash, image.tokens)) continue;
      encoderS += encoderSeconds(s.device, s.model.vision ?? 'llava', image.tokens, s.model.encoderParamsB ?? 0.3);
    }
    addChunk(head);
  }
  return { decode, chunks, prefill, encoderS };
}

/** Applies a finished step at time `t`: one token per decode, chunk progress; returns the finished. */
export function applyStep(plan: Plan, t: number, stats: ModelStats): Seq[] {
  const done: Seq[] = [];
  for (const s of plan.decode) {
    if (s.aborted) continue;
    s.generated++;
    stats.generationTokens++;
    if (s.generated >= s.job.outTokens) done.push(s);
  }
  for (const { seq, tokens } of plan.chunks) {
    if (seq.aborted) continue;
    seq.computed += tokens;
    if (seq.computed < seq.job.promptIds.length) continue;
    // The last prefill step samples the first token.
    seq.firstTokenS = t;
    if (seq.job.outTokens > 0) {
      seq.generated = 1;
      stats.generationTokens++;
    }
    if (seq.generated >= seq.job.outTokens) done.push(seq);
  }
  return done;
}
