// Deterministic simulated outputs: text and JSON derived from a content hash (model + messages +
// seed; a per-cluster counter for temperature > 0 without a seed), of the natural lengths
// cost/cost-model.ts defines, after thinking when asked, cut to max_tokens and at stop strings;
// unit-norm embeddings; real PNG images. Same seed string, same bytes.
import { decode } from '../util/tokenizer.ts';
import { encodePng } from '../storage/png.ts';
import { jsonFromSchema } from './json-output.ts';
import { contentHash, Prng } from '../util/prng.ts';
import type { FinishReason } from './protocol.ts';
import type { OutputFormat, Sampling } from './parse-request.ts';
import { textIds } from './prompt-tokens.ts';
import { words } from './words.ts';
import { DEFAULT_OUTPUT_LENGTH, budgetedLength, thinkingLength, type OutputLengthRange } from '../cost/cost-model.ts';

/** A generated completion. */
export interface GeneratedOutput {
  /** The content (the answer after any thinking). */
  readonly text: string;
  /** Token ids of `text`. */
  readonly ids: readonly number[];
  readonly finishReason: FinishReason;
  /** Thinking before the content (thinking mode): vLLM's reasoning parser returns it apart. */
  readonly reasoning?: { readonly text: string; readonly ids: readonly number[] };
}

/** Every token a completion generated, thinking first (at least one is always generated). */
export function generatedTokens(out: GeneratedOutput): readonly number[] {
  return out.reasoning ? [...out.reasoning.ids, ...out.ids] : out.ids;
}

/**
 * The seed string of one choice: greedy decoding (temperature 0) depends on the prompt only, a
 * fixed `seed` adds the seed and choice index, otherwise `sampleCounter` makes each call differ.
 */
export function outputSeed(model: string, prompt: string, sampling: Sampling, choice: number, sampleCounter: number): string {
  if (sampling.temperature === 0) return contentHash(model, prompt, 'greedy');
  if (sampling.seed !== undefined) return contentHash(model, prompt, 'seed', String(sampling.seed), String(choice));
  return contentHash(model, prompt, 'sample', String(sampleCounter), String(choice));
}

function prose(rng: Prng, approxTokens: number): string {
  const parts: string[] = [];
  let count = 0;
  let sentence = 0;
  while (count < approxTokens) {
    const len = rng.int(6, 16);
    const s = Array.from({ length: len }, () => rng.pick(words));
    s[0] = (s[0] ?? 'the').replace(/^./, (c) => c.toUpperCase());
    parts.push(`${s.join(' ')}.`);
    count += len + 1;
    sentence++;
    if (sentence % rng.int(3, 5) === 0 && count < approxTokens) {
      parts.push('\n\n');
      count++;
    }
  }
  return parts.join(' ').replace(/ \n\n /g, '\n\n');
}

/** Cuts `text` to at most `limit` tokens, then at the first stop string. */
export function finishOutput(text: string, limit: number, stop: readonly string[]): GeneratedOutput {
  let ids = textIds(text);
  let finishReason: FinishReason = 'stop';
  let out = text;
  if (ids.length > limit) {
    finishReason = 'length';
    out = decode(ids.slice(0, limit));
    ids = textIds(out);
    while (ids.length > limit) {
      out = decode(ids.slice(0, ids.length - 1));
      ids = textIds(out);
    }
  }
  let cut = -1;
  for (const s of stop) {
    const at = out.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  if (cut >= 0) {
    out = out.slice(0, cut);
    ids = textIds(out);
    finishReason = 'stop';
  }
  return { text: out, ids, finishReason };
}

/**
 * The natural length of free text: from `range` when the cluster fixes one, else the budgeted
 * length under a max_tokens the request gave (cost-model.ts budgetedLength), else
 * DEFAULT_OUTPUT_LENGTH; exactly the limit with ignore_eos; at least min_tokens. One draw of `rng`.
 */
function naturalLength(rng: Prng, sampling: Sampling, limit: number, range: OutputLengthRange | undefined): number {
  if (sampling.ignoreEos) return limit;
  const drawn = range !== undefined || sampling.maxTokensGiven !== true || sampling.maxTokens === undefined
    ? rng.int((range ?? DEFAULT_OUTPUT_LENGTH).min, (range ?? DEFAULT_OUTPUT_LENGTH).max)
    : budgetedLength(sampling.maxTokens, rng.next());
  return Math.max(drawn, sampling.minTokens);
}

/** The content for `seed` within `limit` tokens: prose of its natural length, or JSON for a JSON format. */
function answer(seed: string, sampling: Sampling, format: OutputFormat, limit: number, range: OutputLengthRange | undefined): GeneratedOutput {
  const rng = new Prng(seed);
  let text: string;
  if (format.type === 'text') {
    const natural = Math.min(naturalLength(rng, sampling, limit, range), limit + 1);
    const full = prose(rng, natural + 8);
    text = decode(textIds(full).slice(0, natural));
  } else {
    const schema = format.type === 'json_schema' ? format.schema : { type: 'object', properties: { answer: { type: 'string' } } };
    text = JSON.stringify(jsonFromSchema(schema, rng));
  }
  return finishOutput(text, limit, sampling.stop);
}

/**
 * A completion for `seed`: its content (answer) cut to min(max_tokens, `room`) tokens and at stop
 * strings. With `thinking`, first thinking of THINKING_LENGTH (drawn from `seed` + ':thinking'),
 * then the same content as without; max_tokens caps the two together, so thinking that reaches it
 * leaves the content empty (finish_reason 'length'), as on a real server. `range` fixes the
 * content's natural length (tests).
 */
export function generateOutput(seed: string, sampling: Sampling, format: OutputFormat, room: number, range?: OutputLengthRange, thinking = false): GeneratedOutput {
  const limit = Math.max(1, Math.min(sampling.maxTokens ?? room, room));
  if (!thinking) return answer(seed, sampling, format, limit, range);
  const rng = new Prng(`${seed}:thinking`);
  const natural = thinkingLength(rng.next());
  const cut = Math.min(natural, limit);
  const full = textIds(prose(rng, natural + 8)).slice(0, cut);
  const reasoning = { text: decode(full), ids: full };
  if (cut >= limit) return { text: '', ids: [], finishReason: 'length', reasoning };
  // min_tokens counts every generated token, thinking included (vLLM).
  return { ...answer(seed, { ...sampling, minTokens: Math.max(0, sampling.minTokens - cut) }, format, limit - cut, range), reasoning };
}

/** A unit-norm float32 embedding of `dim` values, a pure function of model and text. */
export function embedVector(model: string, text: string, dim: number): Float32Array {
  const rng = new Prng(contentHash(model, 'embed', text));
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    const x = rng.gaussian();
    v[i] = x;
    norm += x * x;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dim; i++) v[i] = (v[i] ?? 0) * scale;
  return v;
}

/** A PNG of `width`×`height` drawn from `seed`: a two-colour gradient with a few discs and bars. */
export function generatePng(seed: string, width: number, height: number): Buffer {
  const rng = new Prng(seed);
  const colour = (): [number, number, number] => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  const [top, bottom] = [colour(), colour()];
  const shapes = Array.from({ length: rng.int(2, 6) }, () => ({
    disc: rng.next() < 0.5,
    x: rng.next() * width,
    y: rng.next() * height,
    r: (0.05 + rng.next() * 0.2) * Math.min(width, height),
    rgb: colour(),
  }));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const f = height > 1 ? y / (height - 1) : 0;
    const row = [0, 1, 2].map((k) => Math.round((top[k] ?? 0) * (1 - f) + (bottom[k] ?? 0) * f));
    for (let x = 0; x < width; x++) {
      let c: readonly number[] = row;
      for (const s of shapes) {
        const inside = s.disc ? (x - s.x) ** 2 + (y - s.y) ** 2 <= s.r ** 2 : Math.abs(x - s.x) <= s.r / 3 && y >= s.y;
        if (inside) c = s.rgb;
      }
      const o = (y * width + x) * 3;
      rgb[o] = c[0] ?? 0;
      rgb[o + 1] = c[1] ?? 0;
      rgb[o + 2] = c[2] ?? 0;
    }
  }
  return encodePng(width, height, rgb);
}
