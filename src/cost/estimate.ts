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

/** What the scheduler knows about one model call. */
export interface CallEstimate {
  readonly id: ActionId;
  /** System and user prompt as token ids (outputs of other actions as unique placeholder ids). */
  readonly tokens: Uint32Array;
  /** Expected generated tokens (thinking included under reasoning): what the GPU decodes. */
  readonly outputTokens: number;
}

/** How the calls will be served. */
export interface EstimateOptions {
  /** Thinking mode (ir/cluster.ts `reasoning`): each call thinks before its answer, within max_tokens. */
  readonly reasoning?: boolean;
}

const memo = new Map<string, Uint32Array>();
const MEMO_LIMIT = 20_000;
const EMPTY = new Uint32Array(0);

function lineTokens(line: string): Uint32Array {
  const hit = memo.get(line);
  if (hit) return hit;
  const ids = Uint32Array.from(encode(line));
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(line, ids);
  return ids;
}

/**
 * Token ids of a text, encoded line by line (each line keeps its newline) and memoized per line:
 * prompts that differ in one line (a symbol, a patient id) share the tokenization of the others.
 * The BPE pre-tokenizer splits at newlines anyway, so ids match whole-text encoding closely.
 */
function tokensOf(text: string): Uint32Array {
  if (text.length === 0) return EMPTY;
  const first = text.indexOf('\n');
  if (first < 0 || first === text.length - 1) return lineTokens(text);
  const parts: Uint32Array[] = [];
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    parts.push(lineTokens(text.slice(start, end)));
    start = end;
  }
  return joinTokens(parts);
}

function joinTokens(parts: readonly Uint32Array[]): Uint32Array {
  if (parts.length === 1) return parts[0] ?? EMPTY;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint32Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
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
  const produced = new Map<ActionId, Uint32Array>();
  // Placeholder ids live above the tokenizer's vocabulary, one fresh run per producing action.
  let next = 1 << 24;
  const placeholder = (n: number): Uint32Array => {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = next++;
    return out;
  };
  // Pieces are typed arrays joined once at their final length: prompts are long and there are many.
  const pieces = (segs: readonly PromptSegment[], into: Uint32Array[]): void => {
    for (const s of segs) into.push(s.kind === 'text' ? tokensOf(s.text) : s.kind === 'value' ? tokensOf(s.value) : (produced.get(s.action) ?? EMPTY));
  };
  const calls = new Map<ActionId, CallEstimate>();
  for (const a of dag.actions) {
    if (a.kind === 'format') {
      const parts: Uint32Array[] = [];
      pieces(a.parts, parts);
      produced.set(a.id, joinTokens(parts));
    } else if (isModelCall(a) && 'prompt' in a) {
      const parts: Uint32Array[] = [];
      pieces(a.system, parts);
      pieces(a.prompt, parts);
      if (a.kind === 'vlm') parts.push(placeholder(IMAGE_TOKENS));
      if (a.kind === 'vlm_reason') parts.push(produced.get(a.encoded) ?? placeholder(IMAGE_TOKENS));
      const out = outputTokens(a, opts);
      calls.set(a.id, { id: a.id, tokens: joinTokens(parts), outputTokens: out.generated });
      produced.set(a.id, placeholder(out.read));
    } else produced.set(a.id, placeholder(outputTokens(a, opts).read));
  }
  return calls;
}
