// Near-name suggestions for unknown identifiers ("did you mean 'qwen3_8b'?").

/** Damerau-free Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

/** The closest candidate within a length-scaled threshold, or undefined. Ties go to the first in sorted order. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of [...candidates].sort()) {
    const d = editDistance(name, c);
    const normalizedMatch = c.replace(/[-_]/g, '').toLowerCase() === name.replace(/[-_]/g, '').toLowerCase();
    const score = normalizedMatch ? 0.5 : d;
    if (score < bestD && (score <= limit || normalizedMatch)) {
      best = c;
      bestD = score;
    }
  }
  return best;
}

/** "did you mean 'x'?" or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(name, candidates);
  return s === undefined ? undefined : `did you mean '${s}'?`;
}
