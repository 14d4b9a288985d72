// The unit of work a simulated GPU runs (a prompt to prefill, tokens to decode, or a fixed-time
// exclusive job such as an image) and the simulated timing it reports when done.
import type { SimModelSpec } from './models.ts';
import type { PromptImage } from './prompt-tokens.ts';
import type { FinishReason } from './protocol.ts';

/** One unit of GPU work: a prompt to prefill and a number of tokens to decode. */
export interface GpuJob {
  readonly model: SimModelSpec;
  readonly promptIds: readonly number[];
  /** Tokens to generate (0: prefill only, e.g. embeddings); the first comes with the last prefill step. */
  readonly outTokens: number;
  /** Ids of the generated tokens, published in the prefix cache at the end (may be empty). */
  readonly outputIds?: readonly number[];
  readonly images?: readonly PromptImage[];
  /** Fixed GPU time of a job that does not batch (image generation); run alone, FIFO. */
  readonly exclusiveS?: number;
  readonly finishReason?: FinishReason;
}

/** Simulated timing of one finished job. */
export interface GpuTiming {
  readonly simulated: true;
  readonly gpu: number;
  readonly device: string;
  readonly arrivalS: number;
  readonly startS: number;
  readonly firstTokenS: number;
  readonly finishS: number;
  readonly queueS: number;
  readonly latencyS: number;
  readonly cachedTokens: number;
  /** Load/wake time this GPU spent while the job waited. */
  readonly modelLoadS: number;
}
