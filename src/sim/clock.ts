// Simulated time. VirtualClock jumps to the next timer once every runnable task waits on the
// simulator (no holds, nothing new for one event-loop turn): same inputs, same timestamps.
// ScaledClock follows real time: simulated seconds = real seconds / timeScale.
import { MinHeap } from '../util/min-heap.ts';

/** A source of simulated time in seconds, shared by every simulated GPU of a cluster. */
export interface Clock {
  readonly kind: 'virtual' | 'scaled';
  /** Simulated seconds since the clock was created. */
  now(): number;
  /**
   * Resolves once simulated time reaches `t`; rejects on abort. A virtual clock resolves even a
   * past `t` only at its next quiet point, so never await the clock while holding it.
   */
  sleepUntil(t: number, signal?: AbortSignal): Promise<void>;
  /**
   * Marks non-GPU work in flight (I/O, CPU work of the caller): a virtual clock does not advance
   * until the returned release function is called. A no-op on real-time clocks.
   */
  hold(): () => void;
}

interface Timer {
  readonly t: number;
  readonly seq: number;
  readonly resolve: () => void;
  cancelled: boolean;
  cleanup: () => void;
}

/**
 * Discrete-event clock: time stands still while anyone holds it or while new work keeps arriving
 * (each timer added, hold taken or released counts as activity); after one quiet `setImmediate`
 * turn it jumps to the earliest timer and fires every timer due at that instant, in creation order.
 * A sleep until now (or the past) waits for the next quiet point without moving time.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual';
  private t = 0;
  private seq = 0;
  private holds = 0;
  private activity = 0;
  private seenActivity = -1;
  private scheduled = false;
  private live = 0;
  private readonly timers = new MinHeap<Timer>((a, b) => a.t < b.t || (a.t === b.t && a.seq < b.seq));

  /** @param start the initial simulated time in seconds. */
  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Number of open holds. */
  get openHolds(): number {
    return this.holds;
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.live;
  }

  sleepUntil(t: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { t: Math.max(t, this.t), seq: this.seq++, resolve, cancelled: false, cleanup: () => {} };
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (timer.cancelled) return;
          timer.cancelled = true;
          this.live--;
          reject(signal.reason);
          this.poke();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.timers.push(timer);
      this.live++;
      this.poke();
    });
  }

  hold(): () => void {
    this.holds++;
    this.activity++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.poke();
    };
  }

  private poke(): void {
    this.activity++;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.check());
  }

  private check(): void {
    this.scheduled = false;
    if (this.holds > 0) return; // the release pokes again
    while (this.timers.peek()?.cancelled === true) this.timers.pop();
    const first = this.timers.peek();
    if (first === undefined) return;
    if (this.activity !== this.seenActivity) {
      // Something happened since the last look: let microtasks and I/O callbacks settle first.
      this.seenActivity = this.activity;
      this.schedule();
      return;
    }
    this.t = Math.max(this.t, first.t);
    for (let next = this.timers.peek(); next !== undefined && next.t <= this.t; next = this.timers.peek()) {
      this.timers.pop();
      if (next.cancelled) continue;
      next.cancelled = true;
      this.live--;
      next.cleanup();
      next.resolve();
    }
    this.poke();
  }
}

/**
 * Real-time clock for the HTTP simulator: simulated seconds = real seconds / timeScale, so
 * timeScale 0.01 makes a simulated second take 10 ms. A wait resolves up to 1 ms (real) early,
 * on the next event-loop turn (timers have 1 ms granularity); callers keep their own timeline.
 */
export class ScaledClock implements Clock {
  readonly kind = 'scaled';
  private readonly origin = performance.now();

  /** @param timeScale real seconds per simulated second (> 0). */
  constructor(readonly timeScale = 1) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  }

  now(): number {
    return (performance.now() - this.origin) / 1000 / this.timeScale;
  }

  sleepUntil(t: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let cancel = (): void => {};
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      // Timers may fire a little early: re-arm until less than 1 ms (real) is left.
      const wait = (): void => {
        const delayMs = (t - this.now()) * this.timeScale * 1000;
        if (delayMs >= 1) {
          const handle = setTimeout(wait, delayMs);
          cancel = () => clearTimeout(handle);
          return;
        }
        const handle = setImmediate(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        cancel = () => clearImmediate(handle);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      wait();
    });
  }

  hold(): () => void {
    return () => {};
  }
}
