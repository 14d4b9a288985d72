// One vLLM instance on a simulated GPU: a resident model with its share of the GPU's memory
// (gpu_memory_utilization), its own KV pool and prefix cache, encoder cache, queue and running batch;
// and the checks a co-located deployment (several instances on one GPU) must pass, as vLLM's start-up.
import type { Seq } from './batch-step.ts';
import { BLOCK_TOKENS, DEFAULT_GPU_MEMORY_UTILIZATION, kvCapacityTokensAt, modelCost } from '../cost/cost-model.ts';
import type { DeviceProfile, ModelCost } from '../cost/cost-model.ts';
import { EncoderCache } from './encoder-cache.ts';
import type { GpuJob } from './gpu-job.ts';
import { maxModelLen, type SimModelSpec } from './models.ts';
import { PrefixCache } from './prefix-cache.ts';

/** One model of a co-located deployment and its share of the GPU's memory (vLLM's gpu_memory_utilization). */
export interface ColocatedModel {
  readonly model: SimModelSpec;
  readonly memoryFraction: number;
}

/**
 * The most the shares of a GPU's co-located instances may add up to. vLLM bounds each share only by the
 * memory free when that instance starts (a second instance fails when `share × total` exceeds it), so
 * the shares must stay under the whole device less what lies outside them (the driver's reserve, other
 * processes): 0.95 is our assumption for that margin.
 */
export const MAX_COLOCATED_MEMORY_FRACTION = 0.95;

/** Cost figures of `model` in an instance holding `memoryFraction` of `device` (at 0.9: modelCost's, alone on the GPU). */
export function instanceCost(device: DeviceProfile, model: SimModelSpec, memoryFraction: number): ModelCost {
  const cost = modelCost(device, model);
  if (memoryFraction === DEFAULT_GPU_MEMORY_UTILIZATION) return cost;
  return { ...cost, kvCapacityTokens: kvCapacityTokensAt(device, model, memoryFraction) };
}

/**
 * Throws a RangeError unless `models` can share one `device`: at least one model, each at most once,
 * each share > 0, the shares adding up to at most MAX_COLOCATED_MEMORY_FRACTION, and each share
 * holding its model's weights with KV left for at least one max_model_len sequence (vLLM refuses to
 * start otherwise: "no available memory for the cache blocks" / max seq len larger than the KV cache).
 */
export function validateColocation(device: DeviceProfile, models: readonly ColocatedModel[]): void {
  if (models.length === 0) throw new RangeError('colocate needs at least one model');
  const seen = new Set<string>();
  let sum = 0;
  for (const { model, memoryFraction: f } of models) {
    if (seen.has(model.id)) throw new RangeError(`model '${model.id}' is listed twice: one instance per model on a GPU`);
    seen.add(model.id);
    if (!(f > 0 && f <= 1)) throw new RangeError(`memoryFraction of '${model.id}' must be in (0, 1], got ${f}`);
    sum += f;
  }
  if (sum > MAX_COLOCATED_MEMORY_FRACTION + 1e-9) {
    throw new RangeError(`the memory fractions add up to ${round(sum)}; co-located instances may use at most ${MAX_COLOCATED_MEMORY_FRACTION} of the GPU`);
  }
  for (const { model, memoryFraction: f } of models) {
    const kv = kvCapacityTokensAt(device, model, f);
    const need = maxModelLen(model);
    if (kv < need) {
      throw new RangeError(
        `'${model.id}' does not fit in ${f} of ${device.name}: ${round(f * device.memoryBytes / 1e9)} GB less its ${round(model.paramsB * 2)} GB ` +
        `of weights and the instance overhead leaves KV for ${kv} tokens, less than its max_model_len (${need})`,
      );
    }
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Whether `job` can never fit a KV pool of `capacity` tokens (its prompt and output in whole blocks). */
export function exceedsKv(job: GpuJob, capacity: number): boolean {
  return job.exclusiveS === undefined && Math.ceil((job.promptIds.length + job.outTokens) / BLOCK_TOKENS) * BLOCK_TOKENS > capacity;
}

/** A resident model on a GPU, as one vLLM instance: its KV pool, caches and requests. */
export class SimInstance {
  readonly cost: ModelCost;
  readonly cache: PrefixCache;
  readonly encoders: EncoderCache;
  /** Requests given to this instance, not yet admitted (co-located instances only: alone, the GPU's FIFO queue is its queue). */
  waiting: Seq[] = [];
  /** Admitted requests, in admission order. */
  running: Seq[] = [];
  /** New entries in `waiting` since it was last sorted. */
  unsorted = false;

  constructor(readonly model: SimModelSpec, readonly memoryFraction: number, device: DeviceProfile, encoderCacheTokens?: number, prefixCaching = true) {
    this.cost = instanceCost(device, model, memoryFraction);
    this.cache = new PrefixCache(this.cost.kvCapacityTokens / BLOCK_TOKENS, prefixCaching);
    this.encoders = new EncoderCache(encoderCacheTokens);
  }

  /** Drops aborted running requests, freeing their blocks. */
  dropAborted(): void {
    if (!this.running.some((s) => s.aborted)) return;
    for (const s of this.running) if (s.aborted && s.hold !== undefined) this.cache.release(s.hold);
    this.running = this.running.filter((s) => !s.aborted);
  }

  /** Frees a finished request's blocks, caching the full blocks of its generated tokens too (a continuation can hit them). */
  release(s: Seq): void {
    const hold = s.hold;
    if (hold === undefined) return;
    const out = s.job.outputIds ?? [];
    if (out.length > 0) this.cache.insert(hold, [...s.job.promptIds, ...out], s.job.promptIds.length + Math.min(out.length, s.generated));
    this.cache.release(hold);
  }
}
