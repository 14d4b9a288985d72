// The calibrated simulator cost model (ALGORITHMS.md §6): Llama-3-8B bf16 on one H100 (H200
// values too), scaled to other models by parameter count. Pure functions of their inputs; every
// figure they produce is simulated.
import type { DeviceKind } from '../ir/cluster.ts';

/** Tokens per KV-cache block (vLLM's default block size): prefix-cache hits count whole blocks. */
export const BLOCK_TOKENS = 16;

/** Natural output length range (tokens) before max_tokens and stop strings apply. */
export interface OutputLengthRange {
  readonly min: number;
  readonly max: number;
}

/** Natural length of free text when the request sets no max_tokens: uniform on 24..384 tokens. */
export const DEFAULT_OUTPUT_LENGTH: OutputLengthRange = { min: 24, max: 384 };

/**
 * Natural length of free text under a max_tokens budget M (our assumption; cost/README.md): a model
 * given a budget writes to it. `capShare` of answers would run past M and are cut there
 * (finish_reason 'length'); the rest end on their own, uniformly on ceil(minShare·M)..M tokens.
 * Expected length: capShare·M + (1 − capShare)·(ceil(minShare·M) + M)/2 (≈ 0.73·M; 374 for 512).
 */
export const OUTPUT_BUDGET = { minShare: 0.4, capShare: 0.1 } as const;

/**
 * The natural length for budget `maxTokens` from one uniform draw `u` in [0, 1): `maxTokens + 1`
 * (past the cap) when u < capShare, else lo + floor((u − capShare) / (1 − capShare) · (M − lo + 1))
 * with lo = ceil(minShare·M).
 */
export function budgetedLength(maxTokens: number, u: number): number {
  const { minShare, capShare } = OUTPUT_BUDGET;
  if (u < capShare) return maxTokens + 1;
  const lo = Math.ceil(minShare * maxTokens);
  return Math.min(maxTokens, lo + Math.floor(((u - capShare) / (1 - capShare)) * (maxTokens - lo + 1)));
}

/**
 * Thinking tokens of a reasoning (thinking-mode) answer before its content: log-uniform on
 * min..max (mean ≈ 1,172), our assumption for analysis prompts (cost/README.md); the Qwen3
 * technical report's thinking budgets run from 1K to 32K tokens on competition maths.
 */
export const THINKING_LENGTH: OutputLengthRange = { min: 300, max: 3000 };

/** Thinking tokens from one uniform draw `u` in [0, 1): floor(min · (max/min)^u), in min..max−1. */
export function thinkingLength(u: number): number {
  const { min, max } = THINKING_LENGTH;
  return Math.min(max - 1, Math.floor(min * Math.exp(u * Math.log(max / min))));
}

/** Expected tokens a call generates: in all (thinking + content), and its content alone. */
export interface ExpectedOutput {
  readonly tokens: number;
  readonly contentTokens: number;
}

const expectedMemo = new Map<string, ExpectedOutput>();

/**
 * The expected value of what the simulator generates (sim/outputs.ts draws from the same
 * definitions): free text of the budgeted length given `maxTokens` (DEFAULT_OUTPUT_LENGTH without
 * it), or a `fixedContent`-token answer (structured output); with `reasoning`, thinking first, and
 * max_tokens capping thinking + content together.
 */
export function expectedOutput(maxTokens: number | undefined, reasoning = false, fixedContent?: number): ExpectedOutput {
  const key = `${maxTokens}/${reasoning}/${fixedContent}`;
  const hit = expectedMemo.get(key);
  if (hit) return hit;
  const cap = maxTokens ?? Infinity;
  // The content's natural length as weighted uniform integer ranges (a point is a range of one).
  const content: readonly (readonly [weight: number, lo: number, hi: number])[] =
    fixedContent !== undefined ? [[1, fixedContent, fixedContent]]
      : maxTokens === undefined ? [[1, DEFAULT_OUTPUT_LENGTH.min, DEFAULT_OUTPUT_LENGTH.max]]
        : [[OUTPUT_BUDGET.capShare, maxTokens + 1, maxTokens + 1], [1 - OUTPUT_BUDGET.capShare, Math.ceil(OUTPUT_BUDGET.minShare * maxTokens), maxTokens]];
  const contentUpTo = (room: number): number => content.reduce((s, [w, lo, hi]) => s + w * meanCapped(lo, hi, room), 0);
  let out: ExpectedOutput;
  if (!reasoning) {
    const c = contentUpTo(cap);
    out = { tokens: c, contentTokens: c };
  } else {
    let tokens = 0;
    let contentTokens = 0;
    const { min, max } = THINKING_LENGTH;
    for (let t = min; t < max; t++) {
      const p = Math.log((t + 1) / t) / Math.log(max / min);
      const c = t >= cap ? 0 : contentUpTo(cap - t);
      tokens += p * (Math.min(t, cap) + c);
      contentTokens += p * c;
    }
    out = { tokens, contentTokens };
  }
  expectedMemo.set(key, out);
  return out;
}

/** Expected tokens generated (thinking + content) for a call's max_tokens: expectedOutput's `tokens`. */
export function expectedOutputTokens(maxTokens?: number, reasoning = false): number {
  return expectedOutput(maxTokens, reasoning).tokens;
}

/** E[min(X, cap)] for X uniform on the integers lo..hi. */
function meanCapped(lo: number, hi: number, cap: number): number {
  if (cap <= lo) return cap;
  if (cap >= hi) return (lo + hi) / 2;
  return ((lo + cap) * (cap - lo + 1)) / 2 / (hi - lo + 1) + ((hi - cap) * cap) / (hi - lo + 1);
}


/** Per-device figures for the reference model (Llama-3-8B, bf16), ALGORITHMS.md §6. */
export interface DeviceProfile {
  readonly kind: DeviceKind;
  readonly name: string;
  /** Prefill throughput R, tokens/s. */
  readonly prefillTokensPerS: number;
  /** Attention term denominator: prefill time × (1 + (cached + new/2) / attentionTokens). */
  readonly attentionTokens: number;
  /** Decode step at batch 1 (weights read) t_w, seconds. */
  readonly weightsStepS: number;
  /** Decode time per context token per sequence β, seconds. */
  readonly perContextTokenS: number;
  /** Decode compute floor per token in the batch t_c, seconds. */
  readonly computePerTokenS: number;
  /** Step overhead t0, seconds. */
  readonly stepOverheadS: number;
  /** KV capacity in tokens for the reference model (at vLLM's default gpu_memory_utilization 0.9). */
  readonly kvTokens: number;
  /** Device memory as the driver reports it (nvidia-smi's total), bytes: what gpu_memory_utilization is a fraction of. */
  readonly memoryBytes: number;
}

/** The §6 table as data. */
export const DEVICES: Readonly<Record<DeviceKind, DeviceProfile>> = {
  h100: {
    kind: 'h100',
    name: 'NVIDIA H100 80GB (simulated)',
    prefillTokensPerS: 30_000,
    attentionTokens: 30_500,
    weightsStepS: 6.4e-3,
    perContextTokenS: 0.052e-6,
    computePerTokenS: 0.027e-3,
    stepOverheadS: 0.5e-3,
    kvTokens: 440_000,
    memoryBytes: 81_559 * 2 ** 20,
  },
  h200: {
    kind: 'h200',
    name: 'NVIDIA H200 141GB (simulated)',
    prefillTokensPerS: 30_000,
    attentionTokens: 30_500,
    weightsStepS: 4.5e-3,
    perContextTokenS: 0.036e-6,
    computePerTokenS: 0.027e-3,
    stepOverheadS: 0.5e-3,
    kvTokens: 880_000,
    memoryBytes: 143_771 * 2 ** 20,
  },
};

/** Parameters (billions) of the reference model the table is calibrated on. */
export const REFERENCE_PARAMS_B = 8;
/** KV bytes per token of the reference model (32 layers × 8 KV heads × 128 × K,V × bf16). */
export const REFERENCE_KV_BYTES_PER_TOKEN = 131_072;

/** The table scaled to one model on one device. */
export interface ModelCost {
  readonly prefillTokensPerS: number;
  readonly attentionTokens: number;
  readonly weightsStepS: number;
  readonly perContextTokenS: number;
  readonly computePerTokenS: number;
  readonly stepOverheadS: number;
  /** KV capacity in tokens for this model (memory left after its weights), a multiple of 16. */
  readonly kvCapacityTokens: number;
}

/** What the cost model needs to know about a model. */
export interface ModelSize {
  readonly paramsB: number;
  /** Overrides the default KV bytes per token (reference × sqrt(P / 8B)). */
  readonly kvBytesPerToken?: number;
}

/** KV bytes per token: the given figure or the reference scaled by sqrt(P / 8B). */
export function kvBytesPerToken(model: ModelSize): number {
  return model.kvBytesPerToken ?? REFERENCE_KV_BYTES_PER_TOKEN * Math.sqrt(model.paramsB / REFERENCE_PARAMS_B);
}

/** vLLM's default gpu_memory_utilization: the share of the GPU's memory one instance may use. */
export const DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

/**
 * KV capacity in tokens of `model` in a vLLM instance given `memoryFraction` of the device's memory
 * (its gpu_memory_utilization), in whole 16-token blocks, 0 when nothing is left: the share, less a
 * fixed per-instance overhead (CUDA context, activation peak, CUDA graphs), less the model's bf16
 * weights. The overhead is what makes vLLM's default 0.9 give §6's figure (the reference model's
 * weights + 440k tokens of KV [880k]): 3.3 GB on an H100, 4.3 GB on an H200. So KV bytes =
 * (reference weights + §6 KV) − (0.9 − memoryFraction) × device memory − weights.
 */
export function kvCapacityTokensAt(device: DeviceProfile, model: ModelSize, memoryFraction: number): number {
  const usable = 2e9 * REFERENCE_PARAMS_B + device.kvTokens * REFERENCE_KV_BYTES_PER_TOKEN - (DEFAULT_GPU_MEMORY_UTILIZATION - memoryFraction) * device.memoryBytes;
  return Math.max(0, Math.floor((usable - 2e9 * model.paramsB) / kvBytesPerToken(model) / 16) * 16);
}

/**
 * Scales the device figures to `model`: t_w with weight bytes (∝ P), R and t_c with compute (2P
 * FLOPs per token), β with KV bytes per token. KV capacity is that of an instance alone on the GPU
 * at vLLM's default share (kvCapacityTokensAt at 0.9: the memory the reference model leaves for KV,
 * its weights + 440k tokens, minus this model's bf16 weights), at least 256 blocks (a model that
 * does not fit would be served tensor-parallel; not modelled).
 */
export function modelCost(device: DeviceProfile, model: ModelSize): ModelCost {
  if (!(model.paramsB > 0)) throw new RangeError(`paramsB must be > 0, got ${model.paramsB}`);
  const p = model.paramsB / REFERENCE_PARAMS_B;
  const kv = kvBytesPerToken(model);
  return {
    prefillTokensPerS: device.prefillTokensPerS / p,
    attentionTokens: device.attentionTokens,
    weightsStepS: device.weightsStepS * p,
    perContextTokenS: device.perContextTokenS * (kv / REFERENCE_KV_BYTES_PER_TOKEN),
    computePerTokenS: device.computePerTokenS * p,
    stepOverheadS: device.stepOverheadS,
    kvCapacityTokens: Math.max(256 * 16, kvCapacityTokensAt(device, model, DEFAULT_GPU_MEMORY_UTILIZATION)),
  };
}

/** Prefill time of `newTokens` after `cachedTokens` of context: new/R × (1 + (cached + new/2)/30.5k). */
export function prefillSeconds(cost: ModelCost, newTokens: number, cachedTokens: number): number {
  if (newTokens <= 0) return 0;
  return (newTokens / cost.prefillTokensPerS) * (1 + (cachedTokens + newTokens / 2) / cost.attentionTokens);
}

/** One prefill chunk scheduled in a step. */
export interface PrefillChunk {
  readonly newTokens: number;
  /** Context already in the KV cache before this chunk (cached prefix + earlier chunks). */
  readonly contextTokens: number;
}

/** What runs in one continuous-batching step. */
export interface StepLoad {
  /** Sequences producing one token each. */
  readonly decodeSeqs: number;
  /** Σ context tokens of the decoding sequences. */
  readonly decodeContextTokens: number;
  readonly prefill: readonly PrefillChunk[];
  /** Vision-encoder time for images first seen in this step. */
  readonly encoderS?: number;
}

/**
 * t_step = t0 + max(t_w + β·Σctx, t_c·decode tokens) + prefill chunk time (+ encoder time).
 * The compute floor counts the decode tokens only: prefill tokens are costed by the prefill
 * term, which already runs at the compute rate R, so they are not counted twice.
 */
export function stepSeconds(cost: ModelCost, load: StepLoad): number {
  const decode = Math.max(cost.weightsStepS + cost.perContextTokenS * load.decodeContextTokens, cost.computePerTokenS * load.decodeSeqs);
  let prefill = 0;
  for (const c of load.prefill) prefill += prefillSeconds(cost, c.newTokens, c.contextTokens);
  return cost.stepOverheadS + decode + prefill + (load.encoderS ?? 0);
}

/** Model load and wake figures (§6: cold 30 s by default, wake from sleep 2 s). */
export interface SwitchCosts {
  /** A cold start's fixed part besides reading the weights: engine init, compilation, CUDA graphs. */
  readonly coldStartS: number;
  /** Weight read bandwidth of a cold start (local NVMe through the page cache), bytes/s. */
  readonly loadBytesPerS: number;
  /** A wake from sleep mode's fixed part besides copying the weights back to the GPU. */
  readonly wakeStartS: number;
  /** Host-to-device bandwidth for the weights a sleeping model keeps in CPU memory, bytes/s. */
  readonly wakeBytesPerS: number;
  /** A fixed cold load whatever the model's size (tests, a measured deployment), overriding the above. */
  readonly coldLoadS?: number;
  /** A fixed wake whatever the model's size. */
  readonly wakeS?: number;
}

/**
 * Defaults calibrated so the reference model (8B, bf16: 16 GB of weights) loads cold in §6's 30 s and
 * wakes in its 2 s: 22 s of engine start-up (vLLM: 20-60 s in all, larger models longer) plus the
 * weights at 2 GB/s; a wake is 0.4 s plus the weights at 10 GB/s over PCIe (sleep mode level 1 keeps
 * them in pinned CPU memory; vLLM's sleep-mode figures: 0.1 s to a few s). A 32B model: 54 s and 6.8 s.
 */
export const DEFAULT_SWITCH_COSTS: SwitchCosts = { coldStartS: 22, loadBytesPerS: 2e9, wakeStartS: 0.4, wakeBytesPerS: 10e9 };

/** Bytes of a model's weights in bf16. */
function weightBytes(paramsB: number): number {
  return paramsB * 1e9 * 2;
}

/** Seconds to start a model of `paramsB` billion parameters cold on a GPU. */
export function coldLoadSeconds(costs: SwitchCosts, paramsB: number): number {
  return costs.coldLoadS ?? costs.coldStartS + weightBytes(paramsB) / costs.loadBytesPerS;
}

/** Seconds to wake a model that slept on this GPU (its weights back from CPU memory). */
export function wakeSeconds(costs: SwitchCosts, paramsB: number): number {
  return costs.wakeS ?? costs.wakeStartS + weightBytes(paramsB) / costs.wakeBytesPerS;
}

/** How a vision model turns an image into tokens. */
export type VisionStyle = 'llava' | 'qwen2-vl';

/** Size assumed when an image's size cannot be read (Qwen2-VL-style counting only). */
export const DEFAULT_IMAGE_SIZE = { width: 448, height: 448 } as const;

/**
 * Image tokens: 576 per image for LLaVA-1.5 (24×24 patches of a 336 px crop); one per 28×28 px for
 * Qwen2-VL (sides rounded to multiples of 28, at least 4 and at most 16384 tokens).
 */
export function imageTokens(style: VisionStyle, width: number, height: number): number {
  if (style === 'llava') return 576;
  const tokens = Math.max(1, Math.round(width / 28)) * Math.max(1, Math.round(height / 28));
  return Math.min(16_384, Math.max(4, tokens));
}

/**
 * Vision-encoder time for `tokens` image tokens of an encoder of `encoderParamsB` billion
 * parameters: 2·Pe FLOPs per encoder patch at the device's effective prefill FLOP rate
 * (R × 2 × 8B). Qwen2-VL encodes 4 patches per image token (2×2 merge).
 */
export function encoderSeconds(device: DeviceProfile, style: VisionStyle, tokens: number, encoderParamsB: number): number {
  const patches = style === 'llava' ? tokens + 1 : tokens * 4;
  return (patches * encoderParamsB) / (device.prefillTokensPerS * REFERENCE_PARAMS_B);
}

/**
 * Diffusion image generation (an assumption, not in §6): 0.1 s per denoising step for a 6B
 * model at 1024×1024, scaled by parameters and pixel count.
 */
/** Side in pixels of a generated image when the call does not set width/height (sim:// requests). */
export const SIM_IMAGE_SIZE = 512;

/** Denoising steps of a diffusion model whose card does not say (Z-Image-Turbo's 8). */
export const DEFAULT_DIFFUSION_STEPS = 8;

export function diffusionSeconds(paramsB: number, width: number, height: number, steps: number): number {
  return steps * 0.1 * (paramsB / 6) * ((width * height) / (1024 * 1024));
}
