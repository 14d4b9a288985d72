// One simulated GPU server (vLLM-like): a FIFO queue, continuous batching with chunked prefill in
// simulated time, a prefix cache and an encoder cache for the resident model, and model switching
// (drain, then load or wake). Every timestamp it produces is simulated.
import { applyStep, planStep, type Seq } from './batch-step.ts';
import type { Clock } from './clock.ts';
import { DEFAULT_SWITCH_COSTS, DEVICES, coldLoadSeconds, modelCost, stepSeconds, wakeSeconds } from '../cost/cost-model.ts';
import type { DeviceProfile, ModelCost, SwitchCosts } from '../cost/cost-model.ts';
import type { DeviceKind } from '../ir/cluster.ts';
import { EncoderCache } from './encoder-cache.ts';
import type { GpuJob, GpuTiming } from './gpu-job.ts';
import { ModelStats, sumModels, type GpuMetrics } from './metrics.ts';
import type { SimModelSpec } from './models.ts';
import { BLOCK_TOKENS } from '../cost/cost-model.ts';
import { PrefixCache } from './prefix-cache.ts';
import { SimHttpError } from './protocol.ts';

/** Configuration of one simulated GPU. */
export interface SimGpuOptions {
  readonly index: number;
  readonly clock: Clock;
  readonly device?: DeviceKind;
  /** Model resident from time 0 (no load cost); without it the first request loads cold. */
  readonly preload?: SimModelSpec;
  readonly switchCosts?: SwitchCosts;
  /** vLLM max_num_seqs: requests running at once (default 1024, vLLM V1's on H100/H200). */
  readonly maxNumSeqs?: number;
  /** vLLM max_num_batched_tokens: the per-step token budget (default 8192). */
  readonly maxBatchedTokens?: number;
  readonly encoderCacheTokens?: number;
  /** vLLM's enable_prefix_caching (default true; the `paper` baseline runs without it). */
  readonly prefixCaching?: boolean;
}

/** vLLM V1's max_num_seqs on H100/H200 (`get_batch_defaults`, ALGORITHMS.md §6). */
export const DEFAULT_MAX_NUM_SEQS = 1024;

/** A simulated GPU running one resident model at a time. */
export class SimGpu {
  readonly index: number;
  readonly device: DeviceProfile;
  private readonly clock: Clock;
  private readonly switchCosts: SwitchCosts;
  private readonly maxNumSeqs: number;
  private readonly maxBatchedTokens: number;
  private readonly prefixCaching: boolean;
  private resident: SimModelSpec | undefined;
  private cost: ModelCost | undefined;
  private cache: PrefixCache | undefined;
  private readonly encoders: EncoderCache;
  private readonly slept = new Set<string>();
  private readonly stats = new Map<string, ModelStats>();
  private waiting: Seq[] = [];
  private running: Seq[] = [];
  private looping = false;
  private unsorted = false;
  private arrivals = 0;
  private t = 0;
  private n = { switches: 0, loadS: 0, busyS: 0, steps: 0, preemptions: 0 };
  /** The load in progress (a request arriving during it waits only for the rest of it). */
  private loading: { readonly model: SimModelSpec; readonly startS: number } | undefined;
  /** A model to load once the GPU is idle (see prepare). */
  private next: SimModelSpec | undefined;

  constructor(options: SimGpuOptions) {
    this.index = options.index;
    this.clock = options.clock;
    this.device = DEVICES[options.device ?? 'h100'];
    this.switchCosts = options.switchCosts ?? DEFAULT_SWITCH_COSTS;
    this.maxNumSeqs = options.maxNumSeqs ?? DEFAULT_MAX_NUM_SEQS;
    this.maxBatchedTokens = options.maxBatchedTokens ?? 8192;
    this.prefixCaching = options.prefixCaching ?? true;
    this.encoders = new EncoderCache(options.encoderCacheTokens);
    if (options.preload !== undefined) this.install(options.preload);
  }

  /** The resident model's id, if any. */
  get residentModel(): string | undefined {
    return this.resident?.id;
  }

  /** The model this GPU will hold once its queue drains (the last queued job's model). */
  get tailModel(): string | undefined {
    return (this.waiting.at(-1) ?? this.running.at(-1))?.job.model.id ?? this.resident?.id ?? this.loading?.model.id;
  }

  /** Requests waiting plus running. */
  get load(): number {
    return this.waiting.length + this.running.length;
  }

  /** The prefix cache of the resident model (undefined while none is loaded). */
  get prefixCache(): PrefixCache | undefined {
    return this.cache;
  }

  /** KV capacity in tokens `model` would have here. */
  kvCapacityTokens(model: SimModelSpec): number {
    return modelCost(this.device, model).kvCapacityTokens;
  }

  /**
   * Asks this GPU to make `model` resident as soon as it is idle (nothing running or waiting): a
   * scheduler that knows which model comes next loads it while no request needs the GPU, as one
   * would start or wake a vLLM instance ahead of its work. Costs the same load or wake time.
   */
  prepare(model: SimModelSpec): void {
    if (this.resident?.id === model.id && this.load === 0) return;
    this.next = model;
    if (!this.looping) void this.loop();
  }

  /**
   * A pre-deployed server: `model` is resident from now at no load cost, if this GPU has never held,
   * loaded or queued anything (else a no-op: only a fresh GPU can start warm). Returns whether it did.
   */
  warmStart(model: SimModelSpec): boolean {
    if (this.resident !== undefined || this.loading !== undefined || this.next !== undefined || this.load > 0 || this.n.switches > 0) return false;
    this.install(model);
    return true;
  }

  /** Queues `job`; resolves with its simulated timing when it finishes, rejects on abort. */
  run(job: GpuJob, signal?: AbortSignal, order?: number): Promise<GpuTiming> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const total = job.promptIds.length + job.outTokens;
    const capacity = this.kvCapacityTokens(job.model);
    if (job.exclusiveS === undefined && Math.ceil(total / BLOCK_TOKENS) * BLOCK_TOKENS > capacity) {
      return Promise.reject(new SimHttpError(400, `request needs ${total} tokens of KV cache; '${job.model.id}' has ${capacity} on this GPU`, 'messages'));
    }
    return new Promise<GpuTiming>((resolve, reject) => {
      const seq: Seq = {
        job, resolve, reject, arrivalS: this.clock.now(), tie: order ?? this.arrivals,
        // Load time already spent when the request arrives is not load it waited for.
        loadAtArrival: this.n.loadS + (this.loading ? Math.max(0, this.clock.now() - this.loading.startS) : 0),
        detach: () => {}, aborted: false, hold: undefined, admittedS: 0, firstTokenS: 0, computed: 0, target: job.promptIds.length, generated: 0, preemptions: 0,
      };
      if (signal !== undefined) {
        const onAbort = (): void => {
          seq.aborted = true;
          this.statsOf(job.model.id).aborted++;
          this.waiting = this.waiting.filter((s) => s !== seq);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        seq.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.arrivals++;
      this.waiting.push(seq);
      this.unsorted = true;
      if (!this.looping) void this.loop();
    });
  }

  /** Counters and gauges with vLLM's meanings, per model and in total. */
  metrics(): GpuMetrics {
    const live = this.cache?.stats();
    const count = (list: readonly Seq[], id: string): number => list.filter((s) => s.job.model.id === id).length;
    const models = [...this.stats.values()].map((m) =>
      m.snapshot(count(this.running, m.model), count(this.waiting, m.model), m.model === this.resident?.id ? live : undefined));
    const enc = this.encoders.stats();
    return {
      simulated: true, gpu: this.index, device: this.device.name, model: this.resident?.id ?? '', ...sumModels(models),
      modelSwitches: this.n.switches, modelLoadS: this.n.loadS, busyS: this.n.busyS, steps: this.n.steps, preemptions: this.n.preemptions,
      encoderCacheHits: enc.hits, encoderCacheQueries: enc.queries, models,
    };
  }

  private statsOf(model: string): ModelStats {
    let s = this.stats.get(model);
    if (s === undefined) this.stats.set(model, (s = new ModelStats(model)));
    return s;
  }

  private install(model: SimModelSpec): void {
    this.resident = model;
    this.cost = modelCost(this.device, model);
    this.cache = new PrefixCache(this.cost.kvCapacityTokens / BLOCK_TOKENS, this.prefixCaching);
    this.encoders.clear();
    this.statsOf(model.id);
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      this.t = Math.max(this.t, this.clock.now());
      for (;;) {
        // Plan each step at a quiet point: work submitted at this instant joins the step.
        await this.clock.sleepUntil(this.t);
        this.dropAborted();
        // Requests that arrived at the same simulated instant keep the order their submitter gave them
        // (the runtime passes its plan order), not the real-time order in which they happened to be
        // sent, so every figure is reproducible; without one, the order of arrival (FIFO).
        if (this.unsorted) {
          this.waiting.sort((a, b) => a.arrivalS - b.arrivalS || a.tie - b.tie);
          this.unsorted = false;
        }
        const head = this.waiting[0];
        if (this.running.length === 0) {
          if (head === undefined) {
            const next = this.next;
            this.next = undefined;
            if (next === undefined || next.id === this.resident?.id) break;
            await this.switchTo(next);
            continue;
          }
          this.t = Math.max(this.t, head.arrivalS);
          if (this.resident?.id !== head.job.model.id) {
            await this.switchTo(head.job.model);
            continue;
          }
          if (head.job.exclusiveS !== undefined) {
            this.waiting.shift();
            head.admittedS = this.t;
            await this.advance(head.job.exclusiveS);
            this.finish(head);
            continue;
          }
        }
        const plan = this.cache === undefined || this.resident === undefined ? undefined : planStep({
          waiting: this.waiting, running: this.running, cache: this.cache, encoders: this.encoders, device: this.device,
          model: this.resident, t: this.t, maxNumSeqs: this.maxNumSeqs, maxBatchedTokens: this.maxBatchedTokens,
        });
        const cost = this.cost;
        if (plan !== undefined && plan.preempted.length > 0) this.n.preemptions += plan.preempted.length;
        // Everything running was pre-empted: the queue's head is readmitted on the next round.
        if (plan !== undefined && plan.decode.length === 0 && plan.chunks.length === 0 && plan.preempted.length > 0) continue;
        if (cost === undefined || plan === undefined || (plan.decode.length === 0 && plan.chunks.length === 0)) {
          throw new Error(`sim gpu ${this.index}: nothing schedulable with ${this.running.length} running`);
        }
        const decodeContextTokens = plan.decode.reduce((sum, s) => sum + s.job.promptIds.length + s.generated, 0);
        await this.advance(stepSeconds(cost, { decodeSeqs: plan.decode.length, decodeContextTokens, prefill: plan.prefill, encoderS: plan.encoderS }));
        this.n.steps++;
        const done = applyStep(plan, this.t, this.statsOf(this.resident?.id ?? ''));
        for (const s of done) this.finish(s);
        if (done.length > 0) this.running = this.running.filter((s) => !done.includes(s));
      }
    } catch (e) {
      for (const s of [...this.running, ...this.waiting]) s.reject(e);
      this.running = [];
      this.waiting = [];
    } finally {
      this.looping = false;
    }
  }

  private dropAborted(): void {
    if (!this.running.some((s) => s.aborted)) return;
    for (const s of this.running) if (s.aborted && s.hold !== undefined) this.cache?.release(s.hold);
    this.running = this.running.filter((s) => !s.aborted);
  }

  private async advance(seconds: number): Promise<void> {
    await this.clock.sleepUntil(this.t + seconds);
    this.t += seconds;
    this.n.busyS += seconds;
  }

  /** FIFO switch once drained: the old model sleeps; the new one wakes (slept here before) or loads cold. */
  private async switchTo(model: SimModelSpec): Promise<void> {
    const seconds = this.slept.has(model.id) ? wakeSeconds(this.switchCosts, model.paramsB) : coldLoadSeconds(this.switchCosts, model.paramsB);
    const old = this.resident;
    const c = this.cache?.stats();
    if (old !== undefined && c !== undefined) {
      const s = this.statsOf(old.id);
      [s.hits, s.queries, s.evictions] = [s.hits + c.hits, s.queries + c.queries, s.evictions + c.evictions];
      this.slept.add(old.id);
    }
    this.resident = undefined;
    this.cache = undefined;
    this.loading = { model, startS: this.t };
    await this.clock.sleepUntil(this.t + seconds);
    this.t += seconds;
    this.n.loadS += seconds;
    this.n.switches++;
    this.loading = undefined;
    this.install(model);
  }

  private finish(s: Seq): void {
    const hold = s.hold;
    if (hold !== undefined && this.cache !== undefined) {
      // Full blocks of generated tokens are cached too, so a continuation can hit them.
      const out = s.job.outputIds ?? [];
      if (out.length > 0) this.cache.insert(hold, [...s.job.promptIds, ...out], s.job.promptIds.length + Math.min(out.length, s.generated));
      this.cache.release(hold);
    }
    s.detach();
    if (s.aborted) return;
    if (s.job.exclusiveS !== undefined || s.job.outTokens === 0) s.firstTokenS = this.t;
    const stats = this.statsOf(s.job.model.id);
    stats.promptTokens += s.job.promptIds.length;
    if (s.job.finishReason === 'length') stats.length++;
    else stats.stop++;
    const queueS = Math.max(0, s.admittedS - s.arrivalS);
    const latencyS = Math.max(0, this.t - s.arrivalS);
    stats.e2e.observe(latencyS);
    stats.queue.observe(queueS);
    stats.ttft.observe(Math.max(0, s.firstTokenS - s.arrivalS));
    s.resolve({
      simulated: true, gpu: this.index, device: this.device.name,
      arrivalS: s.arrivalS, startS: s.admittedS, firstTokenS: s.firstTokenS, finishS: this.t,
      queueS, latencyS, cachedTokens: hold?.cachedTokens ?? 0, modelLoadS: this.n.loadS - s.loadAtArrival,
    });
  }
}
