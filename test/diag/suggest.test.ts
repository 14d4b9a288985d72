// Near-name suggestions: typos and transpositions find the intended name; unrelated short names do not.
import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../../src/diag/suggest.ts';

describe('suggest', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('titel', 'title')).toBe(1);
    expect(editDistance('form', 'from')).toBe(1);
    expect(editDistance('bare', 'bear')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds typos, case and separator differences', () => {
    expect(suggest('qwen3_8', ['qwen3_8b', 'qwen3_32b', 'llava'])).toBe('qwen3_8b');
    expect(suggest('titel', ['title', 'body'])).toBe('title');
    expect(suggest('QWEN38B', ['qwen3_8b'])).toBe('qwen3_8b');
    expect(suggest('max_token', ['max_tokens', 'temperature'])).toBe('max_tokens');
    expect(suggest('bare', ['bull', 'bear'])).toBe('bear');
  });

  it('suggests nothing for unrelated or very short names', () => {
    expect(suggest('x', ['e5', 'llava'])).toBeUndefined();
    expect(suggest('zebra', ['qwen3_8b', 'llava'])).toBeUndefined();
    expect(suggest('anything', [])).toBeUndefined();
  });
});
