// The models a session can call: `sim://` models on an in-process simulated cluster (virtual time,
// `gpus` GPUs), any other endpoint through the openai SDK with a per-endpoint limiter; every client
// behind the response cache (deterministic calls only; off with --no-cache).
import { SimCluster } from '../sim/cluster.ts';
import { DEFAULT_SIM_MODELS, inferModelSpec, type SimModelSpec } from '../sim/models.ts';
import { DEFAULT_CLUSTER, type ClusterSpec } from '../ir/cluster.ts';
import { VirtualClock } from '../sim/clock.ts';
import type { GpuDeployment } from '../ir/physical-plan.ts';
import type { FaultOptions } from '../sim/faults.ts';
import type { ModelRef } from '../ir/common.ts';
import type { CatalogSnapshot } from '../catalog/catalog.ts';
import type { Database } from '../storage/duckdb.ts';
import { ResponseCache } from '../runtime/cached-client.ts';
import { Limiter } from '../runtime/limiter.ts';
import type { ModelCall, ModelClient, ModelResult } from '../runtime/model-client.ts';
import { OpenAiClient } from '../runtime/openai-client.ts';
import { SimClient } from '../sim/sim-client.ts';
import { fail } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';

export interface ModelRuntimeOptions {
  /** The simulated cluster behind sim:// models (default: one cold H100). */
  readonly cluster?: ClusterSpec;
  /** Fault injection on the simulated cluster (tests). */
  readonly faults?: FaultOptions;
  readonly cache?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** vLLM's enable_prefix_caching on the simulated GPUs (default true; false for the `paper` baseline). */
  readonly prefixCaching?: boolean;
}

export class ModelRuntime {
  readonly clock = new VirtualClock();
  readonly cluster: SimCluster;
  /** What the cluster was built from. */
  readonly spec: ClusterSpec;
  readonly cache: ResponseCache;
  private readonly sim: SimClient;
  private readonly remote = new Map<string, ModelClient>();

  constructor(
    db: Database,
    private readonly catalog: () => CatalogSnapshot,
    private readonly opts: ModelRuntimeOptions = {},
  ) {
    this.spec = opts.cluster ?? DEFAULT_CLUSTER;
    const preload = preloadSpecs(catalog(), this.spec);
    this.cluster = new SimCluster({
      clock: this.clock, device: this.spec.device, models: [...DEFAULT_SIM_MODELS, ...preload.filter((m) => !DEFAULT_SIM_MODELS.some((d) => d.id === m.id))],
      gpus: Array.from({ length: this.spec.gpus }, (_, i) => (preload[i] ? { preload: preload[i].id } : {})),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.prefixCaching === false ? { prefixCaching: false } : {}),
      ...(this.spec.reasoning ? { reasoning: true } : {}),
    });
    this.sim = new SimClient(this.cluster);
    this.cache = new ResponseCache(db, opts.cache !== false, () => this.clock.hold());
  }

  /**
   * The client for a model, through the response cache (`cache` false: in-flight sharing only, no
   * stored answers; default: the runtime's cache option).
   */
  clientFor(model: ModelRef, cache = this.cache.enabled): ModelClient {
    const sim = model.endpoint.startsWith('sim://');
    const inner = sim ? this.sim : this.remoteClient(model);
    // A thinking cluster's calls say so, so that their answers are cached apart from others.
    const thinking = sim && this.spec.reasoning;
    return {
      call: (c: ModelCall, signal: AbortSignal): Promise<ModelResult> => this.cache.call(inner, thinking && c.kind === 'chat' ? { ...c, thinking: true } : c, signal, cache),
      forget: (c: ModelCall): Promise<void> => this.cache.forget(c),
      ...(inner.prepare ? { prepare: (m: ModelRef, gpu: number): void => inner.prepare?.(m, gpu) } : {}),
      ...(inner.warmStart ? { warmStart: (m: ModelRef, gpu: number): void => inner.warmStart?.(m, gpu) } : {}),
      ...(inner.deploy ? { deploy: (gpu: number, d: GpuDeployment, warm: boolean): void => inner.deploy?.(gpu, d, warm) } : {}),
    };
  }

  /** The client for a model with no response cache and no in-flight dedup (the baseline engine). */
  directClientFor(model: ModelRef): ModelClient {
    return model.endpoint.startsWith('sim://') ? this.sim : this.remoteClient(model);
  }

  /** Simulated model loads and switches so far, over every GPU (first loads included). */
  modelSwitches(): number {
    return this.cluster.metrics().reduce((n, m) => n + m.modelSwitches, 0);
  }

  /** Simulated KV pre-emptions so far, over every GPU (vllm:num_preemptions_total). */
  preemptions(): number {
    return this.cluster.metrics().reduce((n, m) => n + m.preemptions, 0);
  }

  /** Simulated GPU-busy seconds so far, over every GPU. */
  gpuBusySeconds(): number {
    return this.cluster.metrics().reduce((n, m) => n + m.busyS, 0);
  }

  private remoteClient(model: ModelRef): ModelClient {
    const def = this.catalog().models.get(model.name);
    // Models on one endpoint share its limiter only if they use the same key.
    const id = `${model.endpoint}\u0000${def?.apiKeyEnv ?? ''}`;
    const hit = this.remote.get(id);
    if (hit) return hit;
    const env = this.opts.env ?? process.env;
    const keyVar = def?.apiKeyEnv;
    const apiKey = keyVar ? env[keyVar] : 'EMPTY';
    if (keyVar && !apiKey) fail('E0003', `environment variable '${keyVar}' (API_KEY_ENV of model '${model.name}') is not set`);
    const o = def?.options ?? {};
    const limiter = new Limiter(Number(o['max_concurrency'] ?? 16), o['rate_limit_rpm'] === undefined ? undefined : Number(o['rate_limit_rpm']));
    const client = new OpenAiClient({ baseURL: model.endpoint, apiKey: apiKey ?? 'EMPTY', limiter, timeoutMs: Number(o['timeout_ms'] ?? 120_000) });
    this.remote.set(id, client);
    return client;
  }
}

/**
 * The simulator's specs of the cluster's preloaded catalog models, GPU 0 first; B0134 (at `at`, where
 * the setting was written) for more models than GPUs or a name that is not a sim:// model of the catalog.
 */
export function preloadSpecs(catalog: CatalogSnapshot, cluster: ClusterSpec, at?: Span): SimModelSpec[] {
  const { preload, gpus } = cluster;
  if (preload.length > gpus) fail('B0134', `agentlake.preload names ${preload.length} models for ${gpus} simulated GPU${gpus === 1 ? '' : 's'}`, at, { help: 'one model per GPU from GPU 0; SET agentlake.gpus first' });
  return preload.map((name, gpu) => {
    const def = catalog.models.get(name);
    if (def === undefined || !def.endpoint.startsWith('sim://')) {
      fail('B0134', `agentlake.preload names '${name}' for GPU ${gpu}, which is not a sim:// model of the catalog`, at, { help: 'SHOW MODELS lists them; preload names sim:// models, one per GPU from GPU 0' });
    }
    return inferModelSpec(def.modelName, { kind: def.kind, ...(def.paramsB !== undefined ? { paramsB: def.paramsB } : {}) });
  });
}
