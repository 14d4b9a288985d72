// The models a session can call: `sim://` models on an in-process simulated cluster (virtual time,
// `gpus` GPUs), any other endpoint through the openai SDK with a per-endpoint limiter; every client
// behind the response cache (deterministic calls only; off with --no-cache).
import { SimCluster } from '../sim/cluster.ts';
import { VirtualClock } from '../sim/clock.ts';
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

export interface ModelRuntimeOptions {
  readonly gpus?: number;
  /** Fault injection on the simulated cluster (tests). */
  readonly faults?: FaultOptions;
  readonly cache?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export class ModelRuntime {
  readonly clock = new VirtualClock();
  readonly cluster: SimCluster;
  readonly cache: ResponseCache;
  private readonly sim: SimClient;
  private readonly remote = new Map<string, ModelClient>();

  constructor(
    db: Database,
    private readonly catalog: () => CatalogSnapshot,
    private readonly opts: ModelRuntimeOptions = {},
  ) {
    this.cluster = new SimCluster({ clock: this.clock, gpus: opts.gpus ?? 1, ...(opts.faults ? { faults: opts.faults } : {}) });
    this.sim = new SimClient(this.cluster);
    this.cache = new ResponseCache(db, opts.cache !== false, () => this.clock.hold());
  }

  /**
   * The client for a model, through the response cache (`cache` false: in-flight sharing only, no
   * stored answers; default: the runtime's cache option).
   */
  clientFor(model: ModelRef, cache = this.cache.enabled): ModelClient {
    const inner = model.endpoint.startsWith('sim://') ? this.sim : this.remoteClient(model);
    return {
      call: (c: ModelCall, signal: AbortSignal): Promise<ModelResult> => this.cache.call(inner, c, signal, cache),
      forget: (c: ModelCall): Promise<void> => this.cache.forget(c),
      ...(inner.prepare ? { prepare: (m: ModelRef, gpu: number): void => inner.prepare?.(m, gpu) } : {}),
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
