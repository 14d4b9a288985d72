// Near-name suggestions for unknown identifiers ("did you mean 'qwen3_8b'?").

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      let v = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, (d[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = v;
    }
  }
  return d[s.length]?.[t.length] ?? 0;
}

/** The closest candidate within a length-scaled threshold, or undefined. Ties go to the first in sorted order. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  // Very short names need a close match (one edit); longer ones may be two edits or a third of the length off.
  const limit = name.length <= 3 ? 1 : Math.max(2, Math.floor(name.length / 3));
  for (const c of [...candidates].sort()) {
    const d = editDistance(name, c);
    const normalizedMatch = c.replace(/[-_]/g, '').toLowerCase() === name.replace(/[-_]/g, '').toLowerCase();
    const score = normalizedMatch ? 0.5 : d;
    if (score < bestD && (score <= limit || normalizedMatch) && score < name.length) {
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
