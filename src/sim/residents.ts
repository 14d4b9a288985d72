// What a simulated GPU holds: its resident vLLM instances (one alone, or several co-located, each with
// its memory share), the models asleep on it with the share they had, and which instance takes the
// next step (round-robin). Co-located instances take requests from the head of the GPU's FIFO queue
// while the head is theirs; alone, the instance admits straight from that queue.
import type { Seq } from './batch-step.ts';
import { DEFAULT_GPU_MEMORY_UTILIZATION, coldLoadSeconds, wakeSeconds, type DeviceProfile, type SwitchCosts } from '../cost/cost-model.ts';
import { SimInstance, instanceCost, type ColocatedModel } from './instance.ts';
import type { ModelStats } from './metrics.ts';
import type { SimModelSpec } from './models.ts';

/** A simulated GPU's resident and sleeping instances. */
export class Residents {
  /** Resident instances in deployment order: none while loading, one alone, one or more co-located. */
  instances: SimInstance[] = [];
  /** Whether `instances` came from a co-located deployment (each with its own queue). */
  colocated = false;
  /** Models that slept here, with the memory share their instance had. */
  private readonly slept = new Map<string, number>();
  private readonly retiredEncoders = { hits: 0, queries: 0 };
  /** The instance to look at first for the next step. */
  private turn = 0;

  constructor(
    private readonly device: DeviceProfile,
    private readonly encoderCacheTokens: number | undefined,
    /** vLLM's enable_prefix_caching of every instance. */
    private readonly prefixCaching = true,
  ) {}

  /** Resident model ids, in deployment order. */
  get models(): readonly string[] {
    return this.instances.map((i) => i.model.id);
  }

  /** Requests the instances hold (queued in their own queues or running). */
  get load(): number {
    return this.instances.reduce((sum, i) => sum + i.waiting.length + i.running.length, 0);
  }

  instanceOf(model: string): SimInstance | undefined {
    return this.instances.find((i) => i.model.id === model);
  }

  serves(model: string): boolean {
    return this.instanceOf(model) !== undefined;
  }

  /** The share `model` gets when it comes up alone: the one it slept with here, else vLLM's default. */
  shareAlone(model: SimModelSpec): ColocatedModel {
    return { model, memoryFraction: this.slept.get(model.id) ?? DEFAULT_GPU_MEMORY_UTILIZATION };
  }

  /** Seconds to bring `shares` up, one after another: a wake for an instance that slept here with that share, else a cold load. */
  loadSeconds(shares: readonly ColocatedModel[], costs: SwitchCosts): number {
    let seconds = 0;
    for (const { model, memoryFraction } of shares) {
      seconds += this.slept.get(model.id) === memoryFraction ? wakeSeconds(costs, model.paramsB) : coldLoadSeconds(costs, model.paramsB);
    }
    return seconds;
  }

  /** KV capacity of `model` here: its resident instance's, else at the share it is loading or slept with, else alone at the default. */
  kvCapacityTokens(model: SimModelSpec, loading: readonly ColocatedModel[] | undefined): number {
    const resident = this.instanceOf(model.id);
    if (resident !== undefined) return resident.cost.kvCapacityTokens;
    const share = loading?.find((s) => s.model.id === model.id)?.memoryFraction ?? this.slept.get(model.id) ?? DEFAULT_GPU_MEMORY_UTILIZATION;
    return instanceCost(this.device, model, share).kvCapacityTokens;
  }

  /** Puts every resident instance to sleep: its prefix-cache and encoder counters go to `statsOf`, its share is remembered. */
  sleepAll(statsOf: (model: string) => ModelStats): void {
    for (const inst of this.instances) {
      const c = inst.cache.stats();
      const s = statsOf(inst.model.id);
      [s.hits, s.queries, s.evictions] = [s.hits + c.hits, s.queries + c.queries, s.evictions + c.evictions];
      const e = inst.encoders.stats();
      [this.retiredEncoders.hits, this.retiredEncoders.queries] = [this.retiredEncoders.hits + e.hits, this.retiredEncoders.queries + e.queries];
      this.slept.set(inst.model.id, inst.memoryFraction);
    }
    this.instances = [];
    this.colocated = false;
  }

  /** Records `model` as asleep here with `share` (deployed before the run, then put to sleep): its first use is a wake. */
  markAsleep(model: SimModelSpec, share: number): void {
    this.slept.set(model.id, share);
  }

  /** Makes `shares` resident, with empty caches. */
  install(shares: readonly ColocatedModel[], colocated: boolean): void {
    this.instances = shares.map((s) => new SimInstance(s.model, s.memoryFraction, this.device, this.encoderCacheTokens, this.prefixCaching));
    this.colocated = colocated;
    this.turn = 0;
  }

  /** The queue `inst` admits from: alone, the GPU's (a head for another model stops admission); co-located, its own. */
  queueOf(inst: SimInstance, gpuQueue: Seq[]): Seq[] {
    return this.colocated ? inst.waiting : gpuQueue;
  }

  /**
   * Co-located: each instance takes the GPU queue's head while it is one of theirs (a request for
   * another model stops the queue there: FIFO, the GPU switches to it once the instances have drained),
   * unless `refuse` turns it away; then each instance's queue is put back in arrival order.
   */
  handOut(gpuQueue: Seq[], refuse: (s: Seq, inst: SimInstance) => boolean, byArrival: (a: Seq, b: Seq) => number): void {
    if (!this.colocated) return;
    for (let head = gpuQueue[0]; head !== undefined; head = gpuQueue[0]) {
      const inst = this.instanceOf(head.job.model.id);
      if (inst === undefined) break;
      gpuQueue.shift();
      if (refuse(head, inst)) continue;
      inst.waiting.push(head);
      inst.unsorted = true;
    }
    for (const i of this.instances) {
      if (!i.unsorted) continue;
      i.waiting.sort(byArrival);
      i.unsorted = false;
    }
  }

  /**
   * The instance that runs the next step at time `t`: round-robin from the one after the last to run,
   * the first with requests running or a queued request that has arrived; else the one whose queued
   * request arrives first (the GPU waits for it); undefined when no instance has anything to run.
   */
  pick(gpuQueue: Seq[], t: number): SimInstance | undefined {
    const count = this.instances.length;
    let earliest: { readonly index: number; readonly at: number } | undefined;
    for (let k = 0; k < count; k++) {
      const index = (this.turn + k) % count;
      const inst = this.instances[index] as SimInstance;
      const head = this.queueOf(inst, gpuQueue)[0];
      const queued = head !== undefined && head.job.model.id === inst.model.id ? head.arrivalS : undefined;
      if (inst.running.length > 0 || (queued !== undefined && queued <= t)) {
        this.turn = index + 1;
        return inst;
      }
      if (queued !== undefined && (earliest === undefined || queued < earliest.at)) earliest = { index, at: queued };
    }
    if (earliest === undefined) return undefined;
    this.turn = earliest.index + 1;
    return this.instances[earliest.index];
  }

  /**
   * Every model the GPU will hold once `gpuQueue` drains. Co-located with nothing queued for another
   * model, all its instances' (a queue whose head and tail are theirs counts as such: its requests go
   * to the instances at the next step); else the queue tail's model (FIFO: a switch ends on it), else
   * the resident model, else those `loading`.
   */
  tailModels(gpuQueue: readonly Seq[], loading: readonly ColocatedModel[] | undefined): readonly string[] {
    const head = gpuQueue[0];
    const tail = gpuQueue.at(-1);
    if (this.colocated && (head === undefined || (this.serves(head.job.model.id) && tail !== undefined && this.serves(tail.job.model.id)))) {
      return this.models;
    }
    const id = tail?.job.model.id ?? this.instances[0]?.model.id;
    if (id !== undefined) return [id];
    return loading?.map((s) => s.model.id) ?? [];
  }

  /** Encoder-cache hits and queries of every instance that ran here. */
  encoderStats(): { readonly hits: number; readonly queries: number } {
    const enc = { ...this.retiredEncoders };
    for (const i of this.instances) {
      const e = i.encoders.stats();
      [enc.hits, enc.queries] = [enc.hits + e.hits, enc.queries + e.queries];
    }
    return enc;
  }
}
