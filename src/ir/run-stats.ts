// What a run reports: the figures of a finished model statement and its progress while it runs.
// Plain data, shared by the engine, EXPLAIN ANALYZE, the job service and the servers.

/** The figures every run reports (GPU figures are simulated for sim:// models). */
export interface RunStats {
  readonly calls_total: number;
  readonly calls_executed: number;
  readonly response_cache_hits: number;
  readonly dedup_saved: number;
  readonly prompt_tokens: number;
  readonly cached_tokens: number;
  readonly errors: number;
  readonly simulated: boolean;
  readonly simulated_makespan_seconds: number;
  readonly simulated_gpu_busy_seconds: number;
  /** Simulated model loads and switches (first loads included). */
  readonly simulated_model_switches: number;
  /** Simulated KV pre-emptions over every GPU (vllm:num_preemptions_total): running requests freed and recomputed. */
  readonly simulated_preemptions: number;
  /** The simulated cluster (`1× H100, cold`; ir/cluster.ts clusterLabel), null when no sim:// model ran. */
  readonly simulated_cluster: string | null;
  /** Wall time the optimizer (planning) and provenance writing took. */
  readonly optimizer_wall_seconds: number;
  readonly governance_wall_seconds: number;
  readonly wall_seconds: number;
}

/** Model calls done and total so far, and cache hits, while a statement runs. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly cacheHits: number;
}
