// Per-endpoint admission shared by every running query: at most N requests in flight and, when set,
// at most R requests per minute (a token bucket). Waiters are served in arrival order; an aborted
// waiter leaves the queue.
export class Limiter {
  private inFlight = 0;
  private readonly waiters: { resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal | undefined }[] = [];
  private tokens: number;
  private last = Date.now();

  constructor(
    readonly maxConcurrency: number,
    readonly ratePerMinute?: number,
  ) {
    this.tokens = ratePerMinute ?? Infinity;
  }

  /** Waits for a slot; call the returned function when the request is done. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    let woken = false;
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      // A woken waiter was at the head of the queue; a newcomer goes only when nobody waits.
      if (this.inFlight < this.maxConcurrency && this.tokens >= 1 && (woken || this.waiters.length === 0)) {
        this.inFlight++;
        this.tokens--;
        let released = false;
        return () => {
          if (!released) this.release();
          released = true;
        };
      }
      await this.wait(signal);
      woken = true;
    }
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, signal };
      this.waiters.push(w);
      signal?.addEventListener('abort', () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal.reason);
      }, { once: true });
      // A rate-limited queue re-checks when the next token is due.
      if (this.inFlight < this.maxConcurrency && this.ratePerMinute) setTimeout(() => this.wake(), Math.ceil(60_000 / this.ratePerMinute));
    });
  }

  private release(): void {
    this.inFlight--;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters.shift();
    w?.resolve();
  }

  private refill(): void {
    if (!this.ratePerMinute) return;
    const now = Date.now();
    this.tokens = Math.min(this.ratePerMinute, this.tokens + ((now - this.last) / 60_000) * this.ratePerMinute);
    this.last = now;
  }
}
