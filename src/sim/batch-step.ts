// One continuous-batching step of a simulated GPU, vLLM V1 style: running requests first (decodes and
// ongoing chunked prefills, in admission order), each growing its KV block by block; when the pool has
// no block left the latest-admitted running request is pre-empted (its blocks freed, back to the head
// of the queue, recomputed from its prompt and the tokens it had generated when readmitted). Then, if
// nothing was pre-empted, new requests FIFO while the token budget, seats and KV blocks for their
// prompt allow. And what the step did once its simulated time has passed.
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
  /** Tokens whose KV exists (cached prefix + prefilled chunks), of `target`. */
  computed: number;
  /** Tokens to prefill before decoding: the prompt, plus the tokens generated before a pre-emption. */
  target: number;
  generated: number;
  preemptions: number;
}

/** What one step runs. */
export interface Plan {
  readonly decode: readonly Seq[];
  readonly chunks: readonly { readonly seq: Seq; readonly tokens: number }[];
  readonly prefill: readonly PrefillChunk[];
  readonly encoderS: number;
  /** Requests pre-empted to make room (now at the head of the queue). */
  readonly preempted: readonly Seq[];
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

/** Plans one step: grows (or pre-empts) the running requests, admits new ones, picks chunks. */
export function planStep(s: StepState): Plan {
  const plan = { decode: [] as Seq[], chunks: [] as { seq: Seq; tokens: number }[], prefill: [] as PrefillChunk[], encoderS: 0, preempted: [] as Seq[] };
  let budget = s.maxBatchedTokens;
  const addChunk = (seq: Seq, tokens: number): void => {
    plan.chunks.push({ seq, tokens });
    plan.prefill.push({ newTokens: tokens, contextTokens: seq.computed });
    budget -= tokens;
    // Blocks are published when scheduled (as vLLM V1 does), so later admissions can hit them.
    if (seq.hold !== undefined) s.cache.insert(seq.hold, seq.job.promptIds, seq.computed + tokens);
  };
  // Decodes first (one token each), then the ongoing prefills with the budget left, each in admission order.
  for (let i = 0; i < s.running.length; i++) {
    const seq = s.running[i] as Seq;
    if (seq.computed < seq.target) continue;
    // A decode step writes the KV of the last generated token.
    if (!growOrPreempt(s, plan, seq, seq.job.promptIds.length + seq.generated)) break;
    plan.decode.push(seq);
    budget--;
  }
  for (let i = 0; i < s.running.length && budget > 0; i++) {
    const seq = s.running[i] as Seq;
    if (seq.computed >= seq.target) continue;
    const tokens = Math.min(seq.target - seq.computed, budget);
    if (growOrPreempt(s, plan, seq, seq.computed + tokens)) addChunk(seq, tokens);
  }
  // vLLM V1 admits nothing new in a step that had to pre-empt.
  if (plan.preempted.length > 0) return plan;
  while (budget > 0 && s.running.length < s.maxNumSeqs) {
    const head = s.waiting[0];
    if (head === undefined || head.job.model.id !== s.model.id || head.job.exclusiveS !== undefined) break;
    // A real-time GPU that fell behind its clock catches up before it sees later arrivals.
    if (head.arrivalS > s.t) break;
    const hold = s.cache.acquire(head.job.promptIds, head.target);
    if (hold === undefined) break;
    s.waiting.shift();
    s.running.push(head);
    [head.hold, head.computed, head.admittedS] = [hold, hold.cachedTokens, head.preemptions > 0 ? head.admittedS : s.t];
    for (const image of head.job.images ?? []) {
      if (s.encoders.touch(image.hash, image.tokens)) continue;
      plan.encoderS += encoderSeconds(s.device, s.model.vision ?? 'llava', image.tokens, s.model.encoderParamsB ?? 0.3);
    }
    const tokens = Math.min(head.target - head.computed, budget);
    if (tokens > 0) addChunk(head, tokens);
  }
  return plan;
}

/**
 * Gives `seq` KV for `total` tokens, pre-empting the latest-admitted running requests (possibly `seq`
 * itself) until the pool can; false when `seq` was the one pre-empted.
 */
function growOrPreempt(s: StepState, plan: { preempted: Seq[] }, seq: Seq, total: number): boolean {
  while (seq.hold !== undefined && !s.cache.grow(seq.hold, total)) {
    const victim = s.running.pop();
    if (victim === undefined) return false;
    preempt(s, victim);
    plan.preempted.push(victim);
    if (victim === seq) return false;
  }
  return true;
}

/** Frees a request's blocks and puts it back at the head of the queue, to recompute what it had. */
function preempt(s: StepState, seq: Seq): void {
  if (seq.hold !== undefined) s.cache.release(seq.hold);
  seq.hold = undefined;
  seq.target = seq.job.promptIds.length + seq.generated;
  seq.computed = 0;
  seq.preemptions++;
  s.waiting.unshift(seq);
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
    if (seq.computed < seq.target) continue;
    // The last prefill step samples a token: the first one, or after a recompute the next one.
    if (seq.generated === 0) seq.firstTokenS = t;
    if (seq.generated < seq.job.outTokens) {
      seq.generated++;
      stats.generationTokens++;
    }
    if (seq.generated >= seq.job.outTokens) done.push(seq);
  }
  return done;
}
