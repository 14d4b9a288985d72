// The models a simulated server can serve: kind, size and the few traits the simulator needs
// (vision style, embedding width, context length). Defaults mirror catalog/models.sql.
import type { VisionStyle } from '../cost/cost-model.ts';

/** What a model does, as the catalog's KIND says. */
export type SimModelKind = 'llm' | 'vlm' | 'embedding' | 'diffusion';

/** One servable model. */
export interface SimModelSpec {
  /** The served model name (OpenAI `model` field). */
  readonly id: string;
  readonly kind: SimModelKind;
  /** Parameters in billions (scales every cost, §6). */
  readonly paramsB: number;
  /** How images become tokens (vlm only). */
  readonly vision?: VisionStyle;
  /** Vision-encoder parameters in billions (vlm only; 0.3 CLIP ViT-L, 0.675 Qwen2-VL ViT). */
  readonly encoderParamsB?: number;
  /** Embedding width (embedding only). */
  readonly embeddingDim?: number;
  /** Longest prompt + output in tokens (default 32768). */
  readonly maxModelLen?: number;
  /** KV bytes per token (default: reference × sqrt(P / 8B)). */
  readonly kvBytesPerToken?: number;
  /** Denoising steps per image (diffusion only; default 8). */
  readonly diffusionSteps?: number;
}

/** Default context length of simulated models. */
export const DEFAULT_MAX_MODEL_LEN = 32_768;

/** The models of catalog/models.sql. */
export const DEFAULT_SIM_MODELS: readonly SimModelSpec[] = [
  { id: 'Qwen/Qwen3-8B', kind: 'llm', paramsB: 8 },
  { id: 'Qwen/Qwen3-32B', kind: 'llm', paramsB: 32 },
  { id: 'llava-hf/llava-1.5-7b-hf', kind: 'vlm', paramsB: 7, vision: 'llava', encoderParamsB: 0.3 },
  { id: 'Qwen/Qwen2-VL-7B-Instruct', kind: 'vlm', paramsB: 7, vision: 'qwen2-vl', encoderParamsB: 0.675 },
  { id: 'intfloat/e5-small-v2', kind: 'embedding', paramsB: 0.03, embeddingDim: 384 },
  { id: 'Tongyi-MAI/Z-Image-Turbo', kind: 'diffusion', paramsB: 6, diffusionSteps: 8 },
];

/** Hints from a catalog entry (KIND, PARAMS_B) that override what the name suggests. */
export interface ModelHints {
  readonly kind?: SimModelKind;
  readonly paramsB?: number;
}

/**
 * A spec for any model name: kind from the hints or the name (e5/embed/bge → embedding,
 * llava/-vl → vlm, diffusion/flux/sdxl/image → diffusion, else llm), size from the hints or a
 * `<n>b` in the name (default 8), embedding width from small/base/large (384/768/1024).
 */
export function inferModelSpec(id: string, hints: ModelHints = {}): SimModelSpec {
  const lower = id.toLowerCase();
  const kind: SimModelKind =
    hints.kind ??
    (/e5|embed|bge|gte|minilm/.test(lower)
      ? 'embedding'
      : /llava|[-_]vl\b|vl-|vision/.test(lower)
        ? 'vlm'
        : /diffusion|flux|sdxl|image|dall/.test(lower)
          ? 'diffusion'
          : 'llm');
  const sized = /(\d+(?:\.\d+)?)\s*b(?![a-z])/i.exec(lower);
  const paramsB = hints.paramsB ?? (sized?.[1] !== undefined ? Number(sized[1]) : kind === 'embedding' ? 0.1 : 8);
  switch (kind) {
    case 'vlm': {
      const qwen = /qwen/.test(lower);
      return { id, kind, paramsB, vision: qwen ? 'qwen2-vl' : 'llava', encoderParamsB: qwen ? 0.675 : 0.3 };
    }
    case 'embedding':
      return { id, kind, paramsB, embeddingDim: /small|mini/.test(lower) ? 384 : /large/.test(lower) ? 1024 : 768 };
    case 'diffusion':
      return { id, kind, paramsB, diffusionSteps: 8 };
    case 'llm':
      return { id, kind, paramsB };
  }
}

/** The context length of a model. */
export function maxModelLen(spec: SimModelSpec): number {
  return spec.maxModelLen ?? DEFAULT_MAX_MODEL_LEN;
}
