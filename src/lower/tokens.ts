// Token counts for estimates (gpt-tokenizer, offline). Counts are memoized by text because the same
// static prompt text recurs across every input of a batch.
import { countTokens as count } from '../util/tokenizer.ts';

const memo = new Map<string, number>();
const MEMO_LIMIT = 50_000;

/** Number of tokens in `text` (cl100k/o200k-style BPE: an estimate for other models' tokenizers). */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const n = count(text);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, n);
  return n;
}
