// One simulated GPU server (vLLM-like): a FIFO queue, continuous batching with chunked prefill in
// simulated time, and its resident vLLM instances (instance.ts): one model at a time, switched by
// draining then loading or waking; or several co-located, each with its memory share, taking turns
// at the GPU step by step. Every timestamp it produces is simulated.
import { applyStep, planStep, type Seq } from './batch-step.ts';
import type { Clock } from './clock.ts';
import { DEFAULT_GPU_MEMORY_UTILIZATION, DEFAULT_SWITCH_COSTS, DEVICES, stepSeconds } from '../cost/cost-model.ts';
import type { DeviceProfile, SwitchCosts } from '../cost/cost-model.ts';
import type { DeviceKind } from '../ir/cluster.ts';
import type { GpuJob, GpuTiming } from './gpu-job.ts';
import { exceedsKv, validateColocation, type ColocatedModel, type SimInstance } from './instance.ts';
import { ModelStats, sumModels, type GpuMetrics } from './metrics.ts';
import type { SimModelSpec } from './models.ts';
import type { PrefixCache } from './prefix-cache.ts';
import { SimHttpError } from './protocol.ts';
import { Residents } from './residents.ts';

/** Configuration of one simulated GPU. */
export interface SimGpuOptions {
  readonly index: number;
  readonly clock: Clock;
  readonly device?: DeviceKind;
  /** Model resident from time 0 (no load cost); without it the first request loads cold. */
  readonly preload?: SimModelSpec;
  readonly switchCosts?: SwitchCosts;
  /** vLLM max_num_seqs: requests running at once, per instance (default 1024, vLLM V1's on H100/H200). */
  readonly maxNumSeqs?: number;
  /** vLLM max_num_batched_tokens: the per-step token budget (default 8192). */
  readonly maxBatchedTokens?: number;
  readonly encoderCacheTokens?: number;
  /** vLLM's enable_prefix_caching (default true; the `paper` baseline runs without it). */
  readonly prefixCaching?: boolean;
}

/** vLLM V1's max_num_seqs on H100/H200 (`get_batch_defaults`, ALGORITHMS.md §6). */
export const DEFAULT_MAX_NUM_SEQS = 1024;

/** How SimGpu.colocate deploys. */
export interface ColocateOptions {
  /** Resident from now at no cost (a fresh GPU only, as warmStart); else each instance loads, one after another. */
  readonly warm: boolean;
  /** Warm only: models also started here and put to sleep before the run (vLLM sleep mode: a first use wakes). */
  readonly asleep?: readonly SimModelSpec[];
}

/**
 * A simulated GPU. Alone, one resident model at a time (a vLLM instance at the default 0.9 share)
 * serves the GPU's FIFO queue, and the GPU switches when the queue's head wants another model.
 * Co-located (colocate), several instances, each with its memory share, KV pool, prefix cache, queue
 * and seats, take turns at the GPU one step at a time, round-robin among those with work.
 */
export class SimGpu {
  readonly index: number;
  readonly device: DeviceProfile;
  private readonly clock: Clock;
  private readonly switchCosts: SwitchCosts;
  private readonly maxNumSeqs: number;
  private readonly maxBatchedTokens: number;
  private readonly residents: Residents;
  private readonly stats = new Map<string, ModelStats>();
  /** The GPU's FIFO queue: every request arrives here. */
  private waiting: Seq[] = [];
  private looping = false;
  private unsorted = false;
  private arrivals = 0;
  private t = 0;
  private n = { switches: 0, loadS: 0, busyS: 0, steps: 0, preemptions: 0 };
  /** The load in progress (a request arriving during it waits only for the rest of it). */
  private loading: { readonly shares: readonly ColocatedModel[]; readonly startS: number } | undefined;
  /** A model to load once the GPU is idle (see prepare). */
  private next: SimModelSpec | undefined;
  /** A co-located deployment to load once the resident instances have nothing left to run (see colocate). */
  private nextColocation: readonly ColocatedModel[] | undefined;

  constructor(options: SimGpuOptions) {
    this.index = options.index;
    this.clock = options.clock;
    this.device = DEVICES[options.device ?? 'h100'];
    this.switchCosts = options.switchCosts ?? DEFAULT_SWITCH_COSTS;
    this.maxNumSeqs = options.maxNumSeqs ?? DEFAULT_MAX_NUM_SEQS;
    this.maxBatchedTokens = options.maxBatchedTokens ?? 8192;
    this.residents = new Residents(this.device, options.encoderCacheTokens, options.prefixCaching ?? true);
    if (options.preload !== undefined) this.install([{ model: options.preload, memoryFraction: DEFAULT_GPU_MEMORY_UTILIZATION }], false);
  }

  /** The resident model's id, if any; co-located, the first instance's (see residentModels). */
  get residentModel(): string | undefined {
    return this.residents.models[0];
  }

  /** Every resident model's id, in deployment order (one unless co-located). */
  get residentModels(): readonly string[] {
    return this.residents.models;
  }

  /** Whether the resident instances are a co-located deployment. */
  get isColocated(): boolean {
    return this.residents.colocated;
  }

  /** The model this GPU will hold once its queue drains (the last queued job's model); co-located, the first of tailModels. */
  get tailModel(): string | undefined {
    return this.tailModels()[0];
  }

  /** Every model this GPU will hold once its queue drains: co-located, each of its instances' (Residents.tailModels). */
  tailModels(): readonly string[] {
    return this.residents.tailModels(this.waiting, this.loading?.shares);
  }

  /** Requests waiting plus running, over all instances. */
  get load(): number {
    return this.waiting.length + this.residents.load;
  }

  /** The prefix cache of the resident model, co-located the first instance's (undefined while none is loaded). */
  get prefixCache(): PrefixCache | undefined {
    return this.residents.instances[0]?.cache;
  }

  /** KV capacity in tokens `model` has or would have here (alone at vLLM's default share unless resident, loading or asleep with another). */
  kvCapacityTokens(model: SimModelSpec): number {
    return this.residents.kvCapacityTokens(model, this.loading?.shares);
  }

  /**
   * Asks this GPU to make `model` resident as soon as it is idle (nothing running or waiting): a
   * scheduler that knows which model comes next loads it while no request needs the GPU, as one
   * would start or wake a vLLM instance ahead of its work. Costs the same load or wake time. A model
   * already resident (co-located too) stays as it is.
   */
  prepare(model: SimModelSpec): void {
    if (this.residents.serves(model.id) && this.load === 0) return;
    this.next = model;
    this.nextColocation = undefined;
    if (!this.looping) void this.loop();
  }

  /**
   * A pre-deployed server: `model` is resident from now at no load cost, if this GPU has never held,
   * loaded or queued anything (else a no-op: only a fresh GPU can start warm). Returns whether it did.
   * The `asleep` models count as deployed here and put to sleep (vLLM sleep mode): a first use wakes.
   */
  warmStart(model: SimModelSpec, asleep: readonly SimModelSpec[] = []): boolean {
    if (!this.fresh()) return false;
    this.install([{ model, memoryFraction: DEFAULT_GPU_MEMORY_UTILIZATION }], false);
    // vLLM sleep mode: these were started on this GPU too and put to sleep; each first use is a wake.
    for (const m of asleep) if (m.id !== model.id) this.residents.markAsleep(m, DEFAULT_GPU_MEMORY_UTILIZATION);
    return true;
  }

  /**
   * Deploys `models` side by side, one vLLM instance each with its share of the GPU's memory (a
   * RangeError unless validateColocation passes). Warm: resident from now at no cost, on a fresh GPU
   * only (else a no-op returning false, as warmStart). Cold: once the resident instances have nothing
   * left to run they sleep, and the new instances start one after another (vLLM's start-up profiles
   * free memory, so instances sharing a GPU are started in turn), each a cold load (a wake if it slept
   * here with that share); queued requests then go to them. Returns whether it deployed or will.
   */
  colocate(models: readonly ColocatedModel[], options: ColocateOptions): boolean {
    validateColocation(this.device, models);
    if (options.warm) {
      if (!this.fresh()) return false;
      this.install(models, true);
      for (const m of options.asleep ?? []) if (!models.some((x) => x.model.id === m.id)) this.residents.markAsleep(m, DEFAULT_GPU_MEMORY_UTILIZATION);
      return true;
    }
    this.nextColocation = [...models];
    this.next = undefined;
    if (!this.looping) void this.loop();
    return true;
  }

  /** Queues `job`; resolves with its simulated timing when it finishes, rejects on abort. */
  run(job: GpuJob, signal?: AbortSignal, order?: number): Promise<GpuTiming> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const capacity = this.kvCapacityTokens(job.model);
    if (exceedsKv(job, capacity)) return Promise.reject(tooLong(job, capacity));
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
          for (const i of this.residents.instances) i.waiting = i.waiting.filter((s) => s !== seq);
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

  /** Counters and gauges with vLLM's meanings, per model and in total (`model`: the resident ids joined by ','). */
  metrics(): GpuMetrics {
    const instances = this.residents.instances;
    const live = new Map(instances.map((i) => [i.model.id, i.cache.stats()]));
    const running = instances.flatMap((i) => i.running);
    const waiting = [...this.waiting, ...instances.flatMap((i) => i.waiting)];
    const count = (list: readonly Seq[], id: string): number => list.filter((s) => s.job.model.id === id).length;
    const models = [...this.stats.values()].map((m) => m.snapshot(count(running, m.model), count(waiting, m.model), live.get(m.model)));
    const enc = this.residents.encoderStats();
    return {
      simulated: true, gpu: this.index, device: this.device.name, model: this.residents.models.join(','), ...sumModels(models),
      modelSwitches: this.n.switches, modelLoadS: this.n.loadS, busyS: this.n.busyS, steps: this.n.steps, preemptions: this.n.preemptions,
      encoderCacheHits: enc.hits, encoderCacheQueries: enc.queries, models,
    };
  }

  private fresh(): boolean {
    return this.residents.instances.length === 0 && this.loading === undefined && this.next === undefined && this.nextColocation === undefined && this.load === 0 && this.n.switches === 0;
  }

  private statsOf(model: string): ModelStats {
    let s = this.stats.get(model);
    if (s === undefined) this.stats.set(model, (s = new ModelStats(model)));
    return s;
  }

  private install(shares: readonly ColocatedModel[], colocated: boolean): void {
    this.residents.install(shares, colocated);
    for (const s of shares) this.statsOf(s.model.id);
    const only = this.residents.instances[0];
    // Alone at a share other than the default (a model that slept co-located), the queued requests
    // were checked against another pool: refuse those that can never fit this one.
    if (!colocated && only !== undefined && only.memoryFraction !== DEFAULT_GPU_MEMORY_UTILIZATION) {
      this.waiting = this.waiting.filter((s) => !(s.job.model.id === only.model.id && this.refuseIfTooLong(s, only)));
    }
  }

  /** Rejects `s` with a 400 if it can never fit `inst`'s KV pool; returns whether it did. */
  private refuseIfTooLong(s: Seq, inst: SimInstance): boolean {
    if (!exceedsKv(s.job, inst.cost.kvCapacityTokens)) return false;
    s.detach();
    s.reject(tooLong(s.job, inst.cost.kvCapacityTokens));
    return true;
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      this.t = Math.max(this.t, this.clock.now());
      for (;;) {
        // Plan each step at a quiet point: work submitted at this instant joins the step.
        await this.clock.sleepUntil(this.t);
        for (const i of this.residents.instances) i.dropAborted();
        // Requests that arrived at the same simulated instant keep the order their submitter gave them
        // (the runtime passes its plan order), not the real-time order in which they happened to be
        // sent, so every figure is reproducible; without one, the order of arrival (FIFO).
        if (this.unsorted) {
          this.waiting.sort(byArrival);
          this.unsorted = false;
        }
        this.residents.handOut(this.waiting, (s, inst) => this.refuseIfTooLong(s, inst), byArrival);
        const inst = this.residents.pick(this.waiting, this.t);
        if (inst !== undefined) {
          await this.step(inst);
          continue;
        }
        // Nothing a resident instance can run: deploy what colocate asked for, else switch (FIFO) to
        // the queue's head, else load what prepare asked for, else rest.
        const colocation = this.nextColocation;
        if (colocation !== undefined) {
          this.nextColocation = undefined;
          await this.bringUp(colocation, true);
          continue;
        }
        const head = this.waiting[0];
        if (head !== undefined) {
          this.t = Math.max(this.t, head.arrivalS);
          await this.bringUp([this.residents.shareAlone(head.job.model)], false);
          continue;
        }
        const next = this.next;
        this.next = undefined;
        if (next === undefined || this.residents.serves(next.id)) break;
        await this.bringUp([this.residents.shareAlone(next)], false);
      }
    } catch (e) {
      const instances = this.residents.instances;
      for (const s of [...this.waiting, ...instances.flatMap((i) => [...i.running, ...i.waiting])]) s.reject(e);
      this.waiting = [];
      for (const i of instances) [i.running, i.waiting] = [[], []];
    } finally {
      this.looping = false;
    }
  }

  /** One step of `inst`: an exclusive job alone, or a continuous-batching step (batch-step.ts). */
  private async step(inst: SimInstance): Promise<void> {
    const waiting = this.residents.queueOf(inst, this.waiting);
    const head = waiting[0];
    if (inst.running.length === 0 && head !== undefined) {
      this.t = Math.max(this.t, head.arrivalS);
      if (head.job.exclusiveS !== undefined) {
        waiting.shift();
        head.admittedS = this.t;
        await this.advance(head.job.exclusiveS);
        this.finish(head, inst);
        return;
      }
    }
    const plan = planStep({
      waiting, running: inst.running, cache: inst.cache, encoders: inst.encoders, device: this.device,
      model: inst.model, t: this.t, maxNumSeqs: this.maxNumSeqs, maxBatchedTokens: this.maxBatchedTokens,
    });
    if (plan.preempted.length > 0) this.n.preemptions += plan.preempted.length;
    if (plan.decode.length === 0 && plan.chunks.length === 0) {
      // Everything running was pre-empted: the queue's head is readmitted on the next round.
      if (plan.preempted.length > 0) return;
      throw new Error(`sim gpu ${this.index}: nothing schedulable for '${inst.model.id}' with ${inst.running.length} running`);
    }
    const decodeContextTokens = plan.decode.reduce((sum, s) => sum + s.job.promptIds.length + s.generated, 0);
    await this.advance(stepSeconds(inst.cost, { decodeSeqs: plan.decode.length, decodeContextTokens, prefill: plan.prefill, encoderS: plan.encoderS }));
    this.n.steps++;
    const done = applyStep(plan, this.t, this.statsOf(inst.model.id));
    for (const s of done) this.finish(s, inst);
    if (done.length > 0) inst.running = inst.running.filter((s) => !done.includes(s));
  }

  private async advance(seconds: number): Promise<void> {
    await this.clock.sleepUntil(this.t + seconds);
    this.t += seconds;
    this.n.busyS += seconds;
  }

  /**
   * Switches once drained (FIFO): the resident instances sleep, and `shares` come up one after another,
   * each a wake if it slept here with that share, else a cold load; a switch empties the caches.
   */
  private async bringUp(shares: readonly ColocatedModel[], colocated: boolean): Promise<void> {
    const seconds = this.residents.loadSeconds(shares, this.switchCosts);
    this.residents.sleepAll((model) => this.statsOf(model));
    this.loading = { shares, startS: this.t };
    await this.clock.sleepUntil(this.t + seconds);
    this.t += seconds;
    this.n.loadS += seconds;
    this.n.switches += shares.length;
    this.loading = undefined;
    this.install(shares, colocated);
  }

  private finish(s: Seq, inst: SimInstance): void {
    const hold = s.hold;
    inst.release(s);
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

function byArrival(a: Seq, b: Seq): number {
  return a.arrivalS - b.arrivalS || a.tie - b.tie;
}

function tooLong(job: GpuJob, capacity: number): SimHttpError {
  return new SimHttpError(400, `request needs ${job.promptIds.length + job.outTokens} tokens of KV cache; '${job.model.id}' has ${capacity} on this GPU`, 'messages');
}
