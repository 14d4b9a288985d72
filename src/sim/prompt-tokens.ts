// Token ids of a prompt as the simulated server sees them: gpt-tokenizer (o200k) ids for text,
// synthetic ids for chat-template markers and image placeholders (one id per image hash, repeated
// for each image token), so equal prefixes give equal id sequences and the prefix cache can match.
import { encode } from '../util/tokenizer.ts';
import { imageTokens, type VisionStyle } from '../cost/cost-model.ts';
import type { ChatMessage, ImageInput } from './parse-request.ts';

const MESSAGE_END = 1_000_000;
const ROLE_IDS: Readonly<Record<string, number>> = { system: 1_000_001, developer: 1_000_002, user: 1_000_003, assistant: 1_000_004, tool: 1_000_005 };
const BOS = 1_000_010;
const IMAGE_ID_BASE = 2_000_000;
const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

const memo = new Map<string, readonly number[]>();
const MEMO_LIMIT = 50_000;

function lineIds(line: string): readonly number[] {
  const hit = memo.get(line);
  if (hit !== undefined) return hit;
  const ids = encode(line, NO_SPECIAL);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(line, ids);
  return ids;
}

/**
 * Token ids of plain text (special-token look-alikes are ordinary text). Text is encoded line by
 * line (each line keeps its newline), memoized, so text reused across prompts is encoded once;
 * the BPE pre-tokenizer splits at newlines anyway, so counts match whole-text encoding closely.
 */
export function textIds(text: string): readonly number[] {
  if (text.length === 0) return [];
  let nl = text.indexOf('\n');
  if (nl < 0 || nl === text.length - 1) return lineIds(text);
  const ids: number[] = [];
  for (let start = 0; start < text.length; nl = text.indexOf('\n', start)) {
    const end = nl < 0 ? text.length : nl + 1;
    for (const id of lineIds(text.slice(start, end))) ids.push(id);
    start = end;
  }
  return ids;
}

/** An image as the GPU sees it: its identity and the tokens it expands to. */
export interface PromptImage {
  readonly hash: string;
  readonly tokens: number;
}

/** A rendered prompt. */
export interface PromptTokens {
  readonly ids: readonly number[];
  readonly images: readonly PromptImage[];
}

function imageId(image: ImageInput): number {
  return IMAGE_ID_BASE + parseInt(image.hash.slice(0, 7), 16);
}

/**
 * The chat template: for each message [role id, content ids..., end id], then the assistant role
 * id as the generation prompt. An assistant reply appended to the conversation therefore extends
 * the previous request's prompt + output ids, so generated tokens can be prefix-cache hits.
 * Images need `vision` (the caller refuses image parts for text-only models).
 */
export function chatPromptTokens(messages: readonly ChatMessage[], vision: VisionStyle | undefined): PromptTokens {
  const ids: number[] = [];
  const images: PromptImage[] = [];
  for (const m of messages) {
    ids.push(ROLE_IDS[m.role] ?? ROLE_IDS.user ?? 0);
    for (const part of m.parts) {
      if (part.type === 'text') {
        for (const id of textIds(part.text)) ids.push(id);
      } else {
        const tokens = imageTokens(vision ?? 'llava', part.image.width, part.image.height);
        const id = imageId(part.image);
        for (let i = 0; i < tokens; i++) ids.push(id);
        images.push({ hash: part.image.hash, tokens });
      }
    }
    ids.push(MESSAGE_END);
  }
  ids.push(ROLE_IDS.assistant ?? 0);
  return { ids, images };
}

/** A plain prompt (completions, embeddings): a BOS id, then the text ids; no chat template. */
export function plainPromptTokens(prompt: string): PromptTokens {
  return { ids: [BOS, ...textIds(prompt)], images: [] };
}
