// Validates request bodies (unknown JSON from HTTP or the in-process API) into typed requests,
// once, at the boundary. Every refusal is a SimHttpError 400 naming the offending parameter.
import { readPngSize } from '../storage/png.ts';
import { DEFAULT_IMAGE_SIZE } from '../cost/cost-model.ts';
import { contentHash } from '../util/prng.ts';
import { SimHttpError } from './protocol.ts';

/** An image in a prompt: its identity (hash of the URL string) and size when readable. */
export interface ImageInput {
  readonly hash: string;
  readonly width: number;
  readonly height: number;
}

/** One part of a chat message. */
export type MessagePart = { readonly type: 'text'; readonly text: string } | { readonly type: 'image'; readonly image: ImageInput };

/** A chat message with its content as parts. */
export interface ChatMessage {
  readonly role: string;
  readonly parts: readonly MessagePart[];
}

/** Decoding parameters shared by chat and completions. */
export interface Sampling {
  /** max_completion_tokens, else max_tokens, else the endpoint's default (completions: 16). */
  readonly maxTokens: number | undefined;
  /** The request set `maxTokens` itself (the natural length then scales with it: cost-model.ts OUTPUT_BUDGET). */
  readonly maxTokensGiven: boolean;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly temperature: number;
  readonly seed: number | undefined;
  readonly stop: readonly string[];
  readonly n: number;
}

/** Requested output format. */
export type OutputFormat = { readonly type: 'text' } | { readonly type: 'json_object' } | { readonly type: 'json_schema'; readonly schema: unknown };

/** A validated chat completion request. */
export interface ChatInput {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly sampling: Sampling;
  readonly format: OutputFormat;
  /** `chat_template_kwargs.enable_thinking` (Qwen3's switch); undefined: the cluster's default. */
  readonly thinking: boolean | undefined;
}

/** A validated legacy completion request (one choice per prompt). */
export interface CompletionInput {
  readonly model: string;
  readonly prompts: readonly string[];
  readonly sampling: Sampling;
}

/** A validated embeddings request. */
export interface EmbeddingInput {
  readonly model: string;
  readonly inputs: readonly string[];
  readonly encoding: 'float' | 'base64';
  readonly dimensions: number | undefined;
}

/** A validated image generation request. */
export interface ImageGenInput {
  readonly model: string;
  readonly prompt: string;
  readonly n: number;
  readonly width: number;
  readonly height: number;
  readonly responseFormat: 'b64_json' | 'url';
  readonly seed: number | undefined;
}

type Obj = Readonly<Record<string, unknown>>;

const bad = (param: string, message: string): SimHttpError => new SimHttpError(400, message, param);

function asObj(x: unknown, param: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad(param, `'${param}' must be an object`);
  return x as Obj;
}

function str(o: Obj, key: string, required: true): string;
function str(o: Obj, key: string, required?: false): string | undefined;
function str(o: Obj, key: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw bad(key, `'${key}' is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw bad(key, `'${key}' must be a string`);
  return v;
}

function num(o: Obj, key: string, lo: number, hi: number, integer: boolean): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < lo || v > hi) {
    throw bad(key, `'${key}' must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads width and height from a PNG data URL; the default size for anything else. */
function imageSize(url: string): { width: number; height: number } {
  const m = /^data:image\/png;base64,(.{0,64})/.exec(url);
  if (m?.[1] !== undefined) {
    try {
      return readPngSize(Buffer.from(m[1], 'base64'));
    } catch {
      // not a readable PNG header: fall through to the default
    }
  }
  return { ...DEFAULT_IMAGE_SIZE };
}

function parseParts(content: unknown, param: string): MessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw bad(param, `'${param}' must be a string or an array of content parts`);
  return content.map((raw, i): MessagePart => {
    const part = asObj(raw, `${param}[${i}]`);
    if (part.type === 'text') return { type: 'text', text: str(part, 'text', true) };
    if (part.type === 'image_url') {
      const iu = part.image_url;
      const url = typeof iu === 'string' ? iu : str(asObj(iu, `${param}[${i}].image_url`), 'url', true);
      return { type: 'image', image: { hash: contentHash(url), ...imageSize(url) } };
    }
    throw bad(`${param}[${i}].type`, `unsupported content part type ${JSON.stringify(part.type)}`);
  });
}

function parseSampling(o: Obj, defaultMax: number | undefined): Sampling {
  if (o.stream === true) throw bad('stream', 'streaming is not supported by the simulator');
  const stop = o.stop;
  const stops = stop === undefined || stop === null ? [] : typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(stops) || !stops.every((s): s is string => typeof s === 'string')) throw bad('stop', "'stop' must be a string or an array of strings");
  const ignoreEos = o.ignore_eos;
  if (ignoreEos !== undefined && typeof ignoreEos !== 'boolean') throw bad('ignore_eos', "'ignore_eos' must be a boolean");
  const given = num(o, 'max_completion_tokens', 1, 1e7, true) ?? num(o, 'max_tokens', 1, 1e7, true);
  return {
    maxTokens: given ?? defaultMax,
    maxTokensGiven: given !== undefined,
    minTokens: num(o, 'min_tokens', 0, 1e7, true) ?? 0,
    ignoreEos: ignoreEos === true,
    temperature: num(o, 'temperature', 0, 2, false) ?? 1,
    seed: num(o, 'seed', -(2 ** 63), 2 ** 64, true),
    stop: stops.filter((s) => s.length > 0),
    n: num(o, 'n', 1, 16, true) ?? 1,
  };
}

function parseFormat(o: Obj): OutputFormat {
  if (o.guided_json !== undefined) return { type: 'json_schema', schema: asObj(o.guided_json, 'guided_json') };
  if (o.response_format === undefined || o.response_format === null) return { type: 'text' };
  const rf = asObj(o.response_format, 'response_format');
  switch (rf.type) {
    case 'text':
    case 'json_object':
      return { type: rf.type };
    case 'json_schema': {
      const js = asObj(rf.json_schema, 'response_format.json_schema');
      return { type: 'json_schema', schema: asObj(js.schema, 'response_format.json_schema.schema') };
    }
    default:
      throw bad('response_format.type', `unsupported response_format type ${JSON.stringify(rf.type)}`);
  }
}

/** Validates a `/v1/chat/completions` body. */
export function parseChat(body: unknown): ChatInput {
  const o = asObj(body, 'body');
  const raw = o.messages;
  if (!Array.isArray(raw) || raw.length === 0) throw bad('messages', "'messages' must be a non-empty array");
  const messages = raw.map((m, i): ChatMessage => {
    const msg = asObj(m, `messages[${i}]`);
    const role = str(msg, 'role', true);
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(role)) throw bad(`messages[${i}].role`, `unknown role '${role}'`);
    return { role, parts: parseParts(msg.content, `messages[${i}].content`) };
  });
  return { model: str(o, 'model', true), messages, sampling: parseSampling(o, undefined), format: parseFormat(o), thinking: parseThinking(o) };
}

/** `chat_template_kwargs: { enable_thinking: true | false }` (vLLM passes it to the chat template). */
function parseThinking(o: Obj): boolean | undefined {
  if (o.chat_template_kwargs === undefined || o.chat_template_kwargs === null) return undefined;
  const kw = asObj(o.chat_template_kwargs, 'chat_template_kwargs');
  const v = kw.enable_thinking;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad('chat_template_kwargs.enable_thinking', "'chat_template_kwargs.enable_thinking' must be a boolean");
  return v;
}

/** Validates a `/v1/completions` body (max_tokens defaults to 16, as OpenAI's). */
export function parseCompletion(body: unknown): CompletionInput {
  const o = asObj(body, 'body');
  const p = o.prompt;
  const prompts = typeof p === 'string' ? [p] : p;
  if (!Array.isArray(prompts) || prompts.length === 0 || !prompts.every((s): s is string => typeof s === 'string')) {
    throw bad('prompt', "'prompt' must be a string or a non-empty array of strings");
  }
  return { model: str(o, 'model', true), prompts, sampling: parseSampling(o, 16) };
}

/** Validates a `/v1/embeddings` body. */
export function parseEmbedding(body: unknown): EmbeddingInput {
  const o = asObj(body, 'body');
  const i = o.input;
  const inputs = typeof i === 'string' ? [i] : i;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((s): s is string => typeof s === 'string')) {
    throw bad('input', "'input' must be a string or a non-empty array of strings");
  }
  const encoding = str(o, 'encoding_format') ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') throw bad('encoding_format', "'encoding_format' must be 'float' or 'base64'");
  return { model: str(o, 'model', true), inputs, encoding, dimensions: num(o, 'dimensions', 1, 65_536, true) };
}

/** Validates a `/v1/images/generations` body (size 'WxH', default 1024x1024). */
export function parseImageGen(body: unknown): ImageGenInput {
  const o = asObj(body, 'body');
  const size = str(o, 'size') ?? '1024x1024';
  const m = /^(\d{1,4})x(\d{1,4})$/.exec(size === 'auto' ? '1024x1024' : size);
  const width = Number(m?.[1] ?? 0);
  const height = Number(m?.[2] ?? 0);
  if (m === null || width < 16 || height < 16 || width > 2048 || height > 2048) throw bad('size', `bad size '${size}': expected WxH, 16..2048 each`);
  const rf = str(o, 'response_format') ?? 'b64_json';
  if (rf !== 'b64_json' && rf !== 'url') throw bad('response_format', "'response_format' must be 'b64_json' or 'url'");
  return {
    model: str(o, 'model', true),
    prompt: str(o, 'prompt', true),
    n: num(o, 'n', 1, 10, true) ?? 1,
    width,
    height,
    responseFormat: rf,
    seed: num(o, 'seed', -(2 ** 63), 2 ** 64, true),
  };
}
