// Plan-time estimates of every model call's prompt as token ids, before any output exists: static
// text and bound values are tokenized (gpt-tokenizer, memoized), and each referenced output stands
// in as a run of ids unique to the action that produces it, of its estimated length. Prompts that
// share text therefore share token prefixes exactly where the real prompts will.
import { encode } from '../util/tokenizer.ts';
import { isModelCall, type Action, type ActionDag, type ActionId, type PromptSegment } from '../ir/action-dag.ts';
import { expectedOutput } from './cost-model.ts';
import { assertNever } from '../diag/assert-never.ts';

/** Image tokens assumed for a VLM call's picture (LLaVA-1.5: 576). */
export const IMAGE_TOKENS = 576;
/** Tokens assumed for a structured (RETURNS) answer, at most max_tokens. */
export const RETURNS_TOKENS = 64;

/** A run of placeholder ids standing in for an action's output: ids first..first+length-1. */
export class Placeholder {
  constructor(
    readonly first: number,
    readonly length: number,
  ) {}
}

/**
 * A piece of an estimated prompt: a text segment's token ids (memoized, so the same text is the same
 * object in every prompt) or an output's placeholder run (one object per producing action). Two
 * prompts that start with the same pieces share that prefix.
 */
export type Piece = Uint32Array | Placeholder;

/** What the scheduler knows about one model call. */
export interface CallEstimate {
  readonly id: ActionId;
  /** Prompt tokens (system and user, outputs of other actions at their expected length). */
  readonly length: number;
  /** The prompt as pieces, in order. */
  readonly pieces: readonly Piece[];
  /** System and user prompt as token ids (outputs of other actions as unique placeholder ids), joined on first use. */
  readonly tokens: Uint32Array;
  /** Expected generated tokens (thinking included under reasoning): what the GPU decodes. */
  readonly outputTokens: number;
}

class Estimate implements CallEstimate {
  private joined: Uint32Array | undefined;
  constructor(
    readonly id: ActionId,
    readonly pieces: readonly Piece[],
    readonly length: number,
    readonly outputTokens: number,
  ) {}

  get tokens(): Uint32Array {
    this.joined ??= joinPieces(this.pieces, this.length);
    return this.joined;
  }
}

/** How the calls will be served. */
export interface EstimateOptions {
  /** Thinking mode (ir/cluster.ts `reasoning`): each call thinks before its answer, within max_tokens. */
  readonly reasoning?: boolean;
}

const memo = new Map<string, Uint32Array>();
const MEMO_LIMIT = 200_000;

function lineTokens(line: string): Uint32Array {
  const hit = memo.get(line);
  if (hit) return hit;
  const ids = Uint32Array.from(encode(line));
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(line, ids);
  return ids;
}

/**
 * A text segment's token ids, encoded line by line (each line keeps its newline; the BPE
 * pre-tokenizer splits at newlines anyway, so ids match whole-text encoding closely) with the lines
 * memoized — texts that differ in one line (a symbol, a patient id) share the others' encoding — and
 * memoized per text, so the same segment text is the same piece object in every prompt.
 */
const texts = new Map<string, Uint32Array>();

function textPiece(text: string): Uint32Array {
  const hit = texts.get(text);
  if (hit) return hit;
  const parts: Uint32Array[] = [];
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    parts.push(lineTokens(text.slice(start, end)));
    start = end;
  }
  const ids = parts.length === 1 ? (parts[0] as Uint32Array) : joinPieces(parts, parts.reduce((n, p) => n + p.length, 0));
  if (texts.size >= MEMO_LIMIT) texts.clear();
  texts.set(text, ids);
  return ids;
}

function joinPieces(parts: readonly Piece[], length: number): Uint32Array {
  const out = new Uint32Array(length);
  let at = 0;
  for (const p of parts) {
    if (p instanceof Placeholder) for (let i = 0; i < p.length; i++) out[at + i] = p.first + i;
    else out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Expected output of an action: the tokens it generates, and those a prompt that reads it sees (the
 * content, without thinking); 0 for actions whose output is not text a prompt reads. A model call's
 * is cost-model.ts's expected value for its max_tokens, the one the simulator draws from.
 */
function outputTokens(a: Action, opts: EstimateOptions): { readonly generated: number; readonly read: number } {
  switch (a.kind) {
    case 'llm':
    case 'vlm':
    case 'vlm_reason': {
      const m = a.decoding.maxTokens;
      const e = expectedOutput(m, opts.reasoning === true, a.returns ? Math.min(m, RETURNS_TOKENS) : undefined);
      return { generated: Math.round(e.tokens), read: Math.round(e.contentTokens) };
    }
    case 'sql':
      return same(a.tokens ?? 0);
    case 'vlm_encode':
      // Its "output" is the image as the model sees it: every reasoning call on it shares these ids.
      return same(IMAGE_TOKENS);
    case 'fetch':
    case 'format':
    case 'embed':
    case 'image':
      return same(0);
    default:
      return assertNever(a, 'action');
  }
}

const same = (n: number): { readonly generated: number; readonly read: number } => ({ generated: n, read: n });

/** Token estimates of every model call of `dag`, in DAG order. */
export function estimateCalls(dag: ActionDag, opts: EstimateOptions = {}): Map<ActionId, CallEstimate> {
  const produced = new Map<ActionId, readonly Piece[]>();
  // Placeholder ids live above the tokenizer's vocabulary, one fresh run per producing action.
  let next = 1 << 24;
  const placeholder = (n: number): readonly Piece[] => {
    const p = new Placeholder(next, n);
    next += n;
    return n > 0 ? [p] : [];
  };
  const pieces = (segs: readonly PromptSegment[], into: Piece[]): void => {
    for (const s of segs) {
      if (s.kind === 'text' || s.kind === 'value') {
        const text = s.kind === 'text' ? s.text : s.value;
        if (text.length > 0) into.push(textPiece(text));
      } else into.push(...(produced.get(s.action) ?? []));
    }
  };
  const calls = new Map<ActionId, CallEstimate>();
  for (const a of dag.actions) {
    if (a.kind === 'format') {
      const parts: Piece[] = [];
      pieces(a.parts, parts);
      produced.set(a.id, parts);
    } else if (isModelCall(a) && 'prompt' in a) {
      const parts: Piece[] = [];
      pieces(a.system, parts);
      pieces(a.prompt, parts);
      if (a.kind === 'vlm') parts.push(...placeholder(IMAGE_TOKENS));
      if (a.kind === 'vlm_reason') parts.push(...(produced.get(a.encoded) ?? placeholder(IMAGE_TOKENS)));
      const out = outputTokens(a, opts);
      let length = 0;
      for (const p of parts) length += p.length;
      calls.set(a.id, new Estimate(a.id, parts, length, out.generated));
      produced.set(a.id, placeholder(out.read));
    } else produced.set(a.id, placeholder(outputTokens(a, opts).read));
  }
  return calls;
}

/**
 * Distinct prompt tokens per model at piece granularity: each model's prompts in a trie of pieces
 * (by identity), every node's piece counted once — the prefill a prefix cache leaves when every
 * prompt's shared pieces hit (two texts that share only their start count whole: an estimate).
 */
export function distinctPieceTokens(prompts: Iterable<{ readonly model: string; readonly pieces: readonly Piece[] }>): Map<string, number> {
  // One map for every model's trie: (node, piece id) → child node; each model its own root.
  const pieceId = new Map<Piece, number>();
  const child = new Map<number, number>();
  const roots = new Map<string, number>();
  const out = new Map<string, number>();
  let nodes = 0;
  for (const p of prompts) {
    let node = roots.get(p.model);
    if (node === undefined) roots.set(p.model, (node = nodes++));
    let fresh = 0;
    for (const piece of p.pieces) {
      let id = pieceId.get(piece);
      if (id === undefined) pieceId.set(piece, (id = pieceId.size));
      const key = node * 2 ** 22 + id;
      let next = child.get(key);
      if (next === undefined) {
        child.set(key, (next = nodes++));
        fresh += piece.length;
      }
      node = next;
    }
    out.set(p.model, (out.get(p.model) ?? 0) + fresh);
  }
  return out;
}
