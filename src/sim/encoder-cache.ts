// Per-GPU vision-encoder cache: image hashes whose embeddings are still on the GPU, LRU-bounded
// in image tokens. A hit skips the encoder cost (§6); a model switch empties it.

/** LRU set of image hashes with a capacity in image tokens. */
export class EncoderCache {
  private readonly entries = new Map<string, number>();
  private tokens = 0;
  private counters = { hits: 0, queries: 0 };

  /** @param capacityTokens image tokens kept (default 100k: ~170 LLaVA images). */
  constructor(readonly capacityTokens = 100_000) {}

  /** Looks `hash` up, counting the query; on a miss remembers it (evicting the oldest). */
  touch(hash: string, tokens: number): boolean {
    this.counters.queries++;
    const had = this.entries.get(hash);
    if (had !== undefined) {
      this.entries.delete(hash);
      this.entries.set(hash, had);
      this.counters.hits++;
      return true;
    }
    this.entries.set(hash, tokens);
    this.tokens += tokens;
    for (const [key, size] of this.entries) {
      if (this.tokens <= this.capacityTokens || key === hash) break;
      this.entries.delete(key);
      this.tokens -= size;
    }
    return false;
  }

  /** Forgets every image (counters are kept). */
  clear(): void {
    this.entries.clear();
    this.tokens = 0;
  }

  /** Hits and queries so far. */
  stats(): { readonly hits: number; readonly queries: number } {
    return { ...this.counters };
  }
}
