// N simulated GPUs behind one OpenAI-shaped entry point: validates a request, draws its faults,
// places it on a GPU (pinned, or the least-loaded GPU already holding the model, co-located ones
// included, else the least-loaded GPU) and shapes the response from the simulated timings. Works
// with either clock.
import type { Clock } from './clock.ts';
import { DEFAULT_SWITCH_COSTS, type SwitchCosts } from '../cost/cost-model.ts';
import { type DeviceKind } from '../ir/cluster.ts';
import { SimGpu } from './engine.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import type { GpuTiming } from './gpu-job.ts';
import { HANDLERS, type HandlerContext } from './handlers.ts';
import { renderPrometheus, type GpuMetrics } from './metrics.ts';
import { DEFAULT_SIM_MODELS, type SimModelSpec } from './models.ts';
import type { OutputLengthRange } from '../cost/cost-model.ts';
import { SimHttpError, type SimRequest, type SimResult, type SimTiming } from './protocol.ts';

/** One GPU of the cluster. */
export interface SimGpuConfig {
  readonly device?: DeviceKind;
  /** Id of a model resident from time 0 (no load cost). */
  readonly preload?: string;
  readonly maxNumSeqs?: number;
  readonly maxBatchedTokens?: number;
}

/** Cluster configuration. */
export interface SimClusterOptions {
  readonly clock: Clock;
  /** Number of GPUs (all `device`, nothing preloaded) or one config per GPU. Default 1. */
  readonly gpus?: number | readonly SimGpuConfig[];
  /** Default device kind (default 'h100'). */
  readonly device?: DeviceKind;
  /** vLLM max_num_seqs of every GPU without its own (default 1024). */
  readonly maxNumSeqs?: number;
  /** Servable models (default: catalog/models.sql's). */
  readonly models?: readonly SimModelSpec[];
  readonly faults?: FaultOptions;
  /** Load and wake figures (default: by model size, cost-model.ts DEFAULT_SWITCH_COSTS); a fixed `coldLoadS`/`wakeS` overrides. */
  readonly switchCosts?: Partial<SwitchCosts>;
  /** vLLM's enable_prefix_caching on every GPU (default true). */
  readonly prefixCaching?: boolean;
  /** A fixed natural length range of generated text (tests); default: cost-model.ts's, scaled by max_tokens when given. */
  readonly outputLength?: OutputLengthRange;
  /**
   * A thinking-mode deployment (Qwen3's default): every llm/vlm chat request thinks before it answers
   * unless it says `chat_template_kwargs: { enable_thinking: false }`. Default false.
   */
  readonly reasoning?: boolean;
  /** Unix time (s) of virtual time 0, for `created` fields (default 2025-01-01T00:00:00Z); real clocks use the wall clock. */
  readonly epochS?: number;
}

const DEFAULT_EPOCH_S = 1_735_689_600;

/** A simulated inference cluster; `submit` is the in-process twin of the HTTP server. */
export class SimCluster {
  readonly clock: Clock;
  readonly gpus: readonly SimGpu[];
  readonly faults: FaultInjector;
  private readonly registry = new Map<string, SimModelSpec>();
  private readonly ctx: HandlerContext;
  private readonly epochS: number;
  private samples = 0;
  private requests = 0;

  constructor(options: SimClusterOptions) {
    this.clock = options.clock;
    for (const m of options.models ?? DEFAULT_SIM_MODELS) this.addModel(m);
    const switchCosts = { ...DEFAULT_SWITCH_COSTS, ...options.switchCosts };
    const configs = typeof options.gpus === 'object' ? options.gpus : Array.from({ length: options.gpus ?? 1 }, (): SimGpuConfig => ({}));
    if (configs.length === 0) throw new RangeError('a sim cluster needs at least one GPU');
    this.gpus = configs.map((c, index) => {
      const preload = c.preload === undefined ? undefined : this.registry.get(c.preload);
      if (c.preload !== undefined && preload === undefined) throw new RangeError(`gpu ${index}: unknown preload model '${c.preload}'`);
      return new SimGpu({
        index, clock: this.clock, device: c.device ?? options.device ?? 'h100', switchCosts,
        ...(options.prefixCaching === false ? { prefixCaching: false } : {}),
        ...(preload === undefined ? {} : { preload }),
        ...((c.maxNumSeqs ?? options.maxNumSeqs) === undefined ? {} : { maxNumSeqs: c.maxNumSeqs ?? options.maxNumSeqs }),
        ...(c.maxBatchedTokens === undefined ? {} : { maxBatchedTokens: c.maxBatchedTokens }),
      });
    });
    this.faults = new FaultInjector(options.faults);
    this.epochS = options.epochS ?? DEFAULT_EPOCH_S;
    this.ctx = {
      model: (name) => {
        const spec = this.registry.get(name);
        if (spec === undefined) throw new SimHttpError(404, `the model '${name}' does not exist`, 'model', 'model_not_found');
        return spec;
      },
      nextSample: () => this.samples++,
      outputLength: options.outputLength,
      reasoning: options.reasoning === true,
    };
  }

  /** Registers (or replaces) a servable model. */
  addModel(spec: SimModelSpec): void {
    this.registry.set(spec.id, spec);
  }

  /** The servable models, in registration order. */
  listModels(): readonly SimModelSpec[] {
    return [...this.registry.values()];
  }

  /**
   * Runs one request (the JSON body a client would POST) and resolves with the status and body
   * the HTTP server would send. Rejects only when `signal` aborts.
   */
  async submit(request: SimRequest, signal?: AbortSignal): Promise<SimResult> {
    const release = this.clock.hold();
    try {
      const handler = HANDLERS[request.endpoint];
      if (handler === undefined) throw new SimHttpError(404, `unknown endpoint '${String(request.endpoint)}'`);
      const validated = handler(request.body, this.ctx);
      if (request.gpu !== undefined && this.gpus[request.gpu] === undefined) {
        throw new SimHttpError(400, `no gpu ${request.gpu} (the cluster has ${this.gpus.length})`, 'gpu');
      }
      const draw = this.faults.draw(validated.wantsJson);
      if (draw.error === 429) return { ok: false, status: 429, body: new SimHttpError(429, 'simulated rate limit (fault injection)', null, 'rate_limit_exceeded').toBody(), retryAfterS: 1 };
      if (draw.error === 500) return { ok: false, status: 500, body: new SimHttpError(500, 'simulated server error (fault injection)').toBody() };
      const prepared = validated.prepare(draw.malformed);
      const gpu = this.place(validated.model.id, request.gpu);
      const id = `sim-${(this.requests++).toString(36)}`;
      const pending = Promise.all(prepared.jobs.map((job) => gpu.run(job, signal, request.order)));
      release();
      const timings = await pending;
      if (draw.spikeS > 0) await this.clock.sleepUntil(this.clock.now() + draw.spikeS, signal);
      const timing = aggregate(timings, draw.spikeS, gpu);
      const created = Math.floor(this.clock.kind === 'virtual' ? this.epochS + timing.finish_s : Date.now() / 1000);
      const body = prepared.build(timings, { id, created, timing });
      return { ok: true, status: 200, body };
    } catch (e) {
      if (e instanceof SimHttpError) return { ok: false, status: e.status, body: e.toBody() };
      throw e;
    } finally {
      release();
    }
  }

  /** Loads `model` on GPU `gpu` as soon as that GPU is idle (SimGpu.prepare); unknown names are ignored. */
  prepare(gpu: number, model: string): void {
    const spec = this.registry.get(model);
    const g = this.gpus[gpu];
    if (spec !== undefined && g !== undefined) g.prepare(spec);
  }

  /**
   * Makes `model` resident on GPU `gpu` at no cost if that GPU is still fresh (SimGpu.warmStart), with
   * the `asleep` models deployed too and sleeping (vLLM sleep mode: their first use is a wake).
   */
  warmStart(gpu: number, model: string, asleep: readonly string[] = []): boolean {
    const spec = this.registry.get(model);
    const g = this.gpus[gpu];
    const sleeping = asleep.flatMap((m) => this.registry.get(m) ?? []);
    return spec !== undefined && g !== undefined && g.warmStart(spec, sleeping);
  }

  /**
   * Deploys `models` side by side on GPU `gpu`, each a vLLM instance with its share of the GPU's memory
   * (SimGpu.colocate: warm on a fresh GPU at no cost, else cold loads one after another). A RangeError
   * for an unknown GPU or model, or shares that do not fit. Returns whether it deployed or will.
   */
  colocate(gpu: number, models: readonly { readonly model: string; readonly memoryFraction: number }[], options: { readonly warm: boolean; readonly asleep?: readonly string[] }): boolean {
    const g = this.gpus[gpu];
    if (g === undefined) throw new RangeError(`no gpu ${gpu} (the cluster has ${this.gpus.length})`);
    const spec = (model: string): SimModelSpec => {
      const s = this.registry.get(model);
      if (s === undefined) throw new RangeError(`gpu ${gpu}: unknown model '${model}'`);
      return s;
    };
    return g.colocate(models.map(({ model, memoryFraction }) => ({ model: spec(model), memoryFraction })), { warm: options.warm, ...(options.asleep ? { asleep: options.asleep.map(spec) } : {}) });
  }

  /** Per-GPU counters and gauges. */
  metrics(): readonly GpuMetrics[] {
    return this.gpus.map((g) => g.metrics());
  }

  /** The /metrics page (Prometheus text, vLLM names). */
  prometheus(): string {
    return renderPrometheus(this.metrics());
  }

  /**
   * Pinned GPU, else the least-loaded GPU whose queue ends on `model` (a co-located GPU holds each of
   * its models), else the least-loaded (empty first).
   */
  private place(model: string, pinned: number | undefined): SimGpu {
    if (pinned !== undefined) return this.gpus[pinned] as SimGpu;
    const holding = this.gpus.filter((g) => g.tailModels().includes(model));
    const pool = holding.length > 0 ? holding : this.gpus;
    let best = pool[0] as SimGpu;
    for (const g of pool) {
      const emptier = g.tailModel === undefined && best.tailModel !== undefined;
      if (g.load < best.load || (g.load === best.load && emptier)) best = g;
    }
    return best;
  }
}

function aggregate(timings: readonly GpuTiming[], spikeS: number, gpu: SimGpu): SimTiming {
  const min = (f: (t: GpuTiming) => number): number => Math.min(...timings.map(f));
  const arrival = min((t) => t.arrivalS);
  const start = min((t) => t.startS);
  const finish = Math.max(...timings.map((t) => t.finishS)) + spikeS;
  return {
    simulated: true, gpu: gpu.index, device: gpu.device.name,
    arrival_s: arrival, start_s: start, first_token_s: min((t) => t.firstTokenS), finish_s: finish,
    queue_s: start - arrival, latency_s: finish - arrival,
    model_load_s: Math.max(...timings.map((t) => t.modelLoadS)), fault_delay_s: spikeS,
  };
}
