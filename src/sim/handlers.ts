// Per-endpoint request handling: a validated body becomes GPU jobs (prompt ids, outputs decided
// up front, deterministically) plus a function that shapes the OpenAI response from the jobs'
// simulated timings. Shared by the HTTP server and the in-process API.
import { DEFAULT_DIFFUSION_STEPS, diffusionSeconds, type OutputLengthRange } from '../cost/cost-model.ts';
import { malformJson } from './faults.ts';
import type { GpuJob, GpuTiming } from './gpu-job.ts';
import { maxModelLen, type SimModelKind, type SimModelSpec } from './models.ts';
import { embedVector, generatedTokens, generateOutput, generatePng, outputSeed, type GeneratedOutput } from './outputs.ts';
import { parseChat, parseCompletion, parseEmbedding, parseImageGen, type OutputFormat, type Sampling } from './parse-request.ts';
import { contentHash } from '../util/prng.ts';
import { chatPromptTokens, plainPromptTokens, textIds } from './prompt-tokens.ts';
import { SimHttpError, type ChatCompletion, type SimEndpoint, type SimResponseBodies, type SimTiming, type Usage } from './protocol.ts';

/** Identity and timing shared by every response. */
export interface ResponseMeta {
  readonly id: string;
  readonly created: number;
  readonly timing: SimTiming;
}

/** A request turned into GPU work. */
export interface Prepared {
  readonly jobs: readonly GpuJob[];
  build(timings: readonly GpuTiming[], meta: ResponseMeta): SimResponseBodies[SimEndpoint];
}

/** What handlers need from the cluster. */
export interface HandlerContext {
  /** Resolves a model name (SimHttpError 404 when unknown). */
  model(name: string): SimModelSpec;
  /** Next value of the sampling counter (temperature > 0 without a seed). */
  nextSample(): number;
  /** A fixed natural length of generated text (tests); undefined: cost-model.ts's distributions. */
  readonly outputLength: OutputLengthRange | undefined;
  /** Chat requests think first unless they say `enable_thinking: false` (a thinking-mode deployment). */
  readonly reasoning: boolean;
}

/** A validated request: its model, whether it asks for JSON, and how to prepare it. */
export interface Validated {
  readonly model: SimModelSpec;
  readonly wantsJson: boolean;
  /** @param malformed the fault injector wants the JSON output broken. */
  prepare(malformed: boolean): Prepared;
}

/** Validates a body (SimHttpError 400/404) and defers the work to `prepare`. */
export type Handler = (body: unknown, ctx: HandlerContext) => Validated;

const FINGERPRINT = 'agentlake-sim';

function requireKind(spec: SimModelSpec, kinds: readonly SimModelKind[], what: string): void {
  if (!kinds.includes(spec.kind)) throw new SimHttpError(400, `model '${spec.id}' (${spec.kind}) does not support ${what}`, 'model');
}

function room(spec: SimModelSpec, promptTokens: number, sampling: Sampling | undefined): number {
  const max = maxModelLen(spec);
  const left = max - promptTokens;
  const asked = sampling?.maxTokens;
  if (left < (sampling === undefined ? 0 : 1) || (asked !== undefined && asked > left)) {
    throw new SimHttpError(400, `this model's maximum context length is ${max} tokens; the request has ${promptTokens} prompt tokens${asked === undefined ? '' : ` and asks for ${asked} completion tokens`}`, 'messages');
  }
  return left;
}

function choose(spec: SimModelSpec, key: string, sampling: Sampling, format: OutputFormat, left: number, ctx: HandlerContext, malformed: boolean, thinking = false): GeneratedOutput[] {
  return Array.from({ length: sampling.n }, (_, i) => {
    const sample = sampling.temperature > 0 && sampling.seed === undefined ? ctx.nextSample() : 0;
    const out = generateOutput(outputSeed(spec.id, key, sampling, i, sample), sampling, format, left, ctx.outputLength, thinking);
    if (!malformed) return out;
    const text = malformJson(out.text);
    return { ...out, text, ids: textIds(text) };
  });
}

function usage(prompt: number, completion: number, cached: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

/** Tokens a completion counts: thinking and content, at least one. */
function completionTokens(out: GeneratedOutput): number {
  return Math.max(1, (out.reasoning?.ids.length ?? 0) + out.ids.length);
}

function textJob(spec: SimModelSpec, promptIds: readonly number[], out: GeneratedOutput, images: GpuJob['images'] = []): GpuJob {
  return { model: spec, promptIds, outTokens: completionTokens(out), outputIds: generatedTokens(out), images, finishReason: out.finishReason };
}

function chatMessage(o: GeneratedOutput): ChatCompletion['choices'][number]['message'] {
  const message = { role: 'assistant' as const, content: o.text, refusal: null };
  return o.reasoning ? { ...message, reasoning_content: o.reasoning.text, reasoning: o.reasoning.text } : message;
}

const chat: Handler = (body, ctx) => {
  const input = parseChat(body);
  const spec = ctx.model(input.model);
  requireKind(spec, ['llm', 'vlm'], 'chat completions');
  const hasImage = input.messages.some((m) => m.parts.some((p) => p.type === 'image'));
  if (hasImage && spec.kind !== 'vlm') throw new SimHttpError(400, `model '${spec.id}' does not accept images`, 'messages');
  return {
    model: spec,
    wantsJson: input.format.type !== 'text',
    prepare: (malformed) => {
      const prompt = chatPromptTokens(input.messages, spec.vision);
      const left = room(spec, prompt.ids.length, input.sampling);
      const outs = choose(spec, JSON.stringify(input.messages), input.sampling, input.format, left, ctx, malformed, input.thinking ?? ctx.reasoning);
      return {
        jobs: outs.map((o) => textJob(spec, prompt.ids, o, prompt.images)),
        build: (timings, meta) => ({
          id: `chatcmpl-${meta.id}`, object: 'chat.completion', created: meta.created, model: spec.id, system_fingerprint: FINGERPRINT,
          choices: outs.map((o, index) => ({ index, message: chatMessage(o), logprobs: null, finish_reason: o.finishReason })),
          usage: usage(prompt.ids.length, outs.reduce((s, o) => s + completionTokens(o), 0), timings[0]?.cachedTokens ?? 0),
          agentlake_sim: meta.timing,
        }),
      };
    },
  };
};

const completions: Handler = (body, ctx) => {
  const input = parseCompletion(body);
  const spec = ctx.model(input.model);
  requireKind(spec, ['llm', 'vlm'], 'completions');
  return {
    model: spec,
    wantsJson: false,
    prepare: () => {
      const prompts = input.prompts.map((p) => ({ text: p, ids: plainPromptTokens(p).ids }));
      const outs = prompts.flatMap((p) => choose(spec, p.text, input.sampling, { type: 'text' }, room(spec, p.ids.length, input.sampling), ctx, false));
      const n = input.sampling.n;
      return {
        jobs: outs.map((o, i) => textJob(spec, prompts[Math.floor(i / n)]?.ids ?? [], o)),
        build: (timings, meta) => ({
          id: `cmpl-${meta.id}`, object: 'text_completion', created: meta.created, model: spec.id, system_fingerprint: FINGERPRINT,
          choices: outs.map((o, index) => ({ index, text: o.text, logprobs: null, finish_reason: o.finishReason })),
          usage: usage(
            prompts.reduce((s, p) => s + p.ids.length, 0),
            outs.reduce((s, o) => s + completionTokens(o), 0),
            timings.reduce((s, t, i) => s + (i % n === 0 ? t.cachedTokens : 0), 0),
          ),
          agentlake_sim: meta.timing,
        }),
      };
    },
  };
};

const embeddings: Handler = (body, ctx) => {
  const input = parseEmbedding(body);
  const spec = ctx.model(input.model);
  requireKind(spec, ['embedding'], 'embeddings');
  const dim = spec.embeddingDim ?? 768;
  const want = input.dimensions ?? dim;
  if (want > dim) throw new SimHttpError(400, `'dimensions' must be at most ${dim} for '${spec.id}'`, 'dimensions');
  return {
    model: spec,
    wantsJson: false,
    prepare: () => {
      const prompts = input.inputs.map((text) => ({ text, ids: plainPromptTokens(text).ids }));
      for (const p of prompts) room(spec, p.ids.length, undefined);
      return {
        jobs: prompts.map((p): GpuJob => ({ model: spec, promptIds: p.ids, outTokens: 0 })),
        build: (_timings, meta) => ({
          object: 'list', model: spec.id,
          data: prompts.map((p, index) => {
            let v = embedVector(spec.id, p.text, dim);
            if (want < dim) {
              const cut = v.slice(0, want);
              const norm = Math.hypot(...cut);
              v = cut.map((x) => x / norm);
            }
            return { object: 'embedding', index, embedding: input.encoding === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v) };
          }),
          usage: { prompt_tokens: prompts.reduce((s, p) => s + p.ids.length, 0), total_tokens: prompts.reduce((s, p) => s + p.ids.length, 0) },
          agentlake_sim: meta.timing,
        }),
      };
    },
  };
};

const images: Handler = (body, ctx) => {
  const input = parseImageGen(body);
  const spec = ctx.model(input.model);
  requireKind(spec, ['diffusion'], 'image generation');
  return {
    model: spec,
    wantsJson: false,
    prepare: () => {
      const ids = plainPromptTokens(input.prompt).ids;
      const seconds = diffusionSeconds(spec.paramsB, input.width, input.height, spec.diffusionSteps ?? DEFAULT_DIFFUSION_STEPS);
      const seeds = Array.from({ length: input.n }, (_, i) => contentHash(spec.id, input.prompt, `${input.width}x${input.height}`, String(input.seed ?? ''), String(i)));
      return {
        jobs: seeds.map((): GpuJob => ({ model: spec, promptIds: ids, outTokens: 0, exclusiveS: seconds })),
        build: (_timings, meta) => ({
          created: meta.created,
          data: seeds.map((seed) => {
            const b64 = generatePng(seed, input.width, input.height).toString('base64');
            return input.responseFormat === 'url' ? { url: `data:image/png;base64,${b64}` } : { b64_json: b64 };
          }),
          agentlake_sim: meta.timing,
        }),
      };
    },
  };
};

/** The handler of each endpoint. */
export const HANDLERS: Readonly<Record<SimEndpoint, Handler>> = {
  'chat.completions': chat,
  completions,
  embeddings,
  'images.generations': images,
};
