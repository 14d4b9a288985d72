// Prometheus text for the simulator's /metrics page, with vLLM's metric names and per-GPU
// labels, plus a few agentlake_sim_* extras. Every figure on the page is simulated.

/** Cumulative histogram snapshot (Prometheus style: counts per upper bound, sum, count). */
export interface HistogramSnapshot {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/** Latency buckets of vLLM's request histograms (seconds). */
export const LATENCY_BUCKETS: readonly number[] = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
/** Buckets of vLLM's time-to-first-token histogram (seconds). */
export const TTFT_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];

/** A histogram with fixed upper bounds. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  /** Records one value. */
  observe(v: number): void {
    this.sum += v;
    this.count++;
    this.bounds.forEach((b, i) => {
      if (v <= b) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
  }

  /** Current state. */
  snapshot(): HistogramSnapshot {
    return { bounds: this.bounds, counts: [...this.counts], sum: this.sum, count: this.count };
  }
}

/** What one model on one GPU reports: a vLLM instance's own counters (sleep mode keeps them). */
export interface ModelMetrics {
  readonly model: string;
  readonly running: number;
  readonly waiting: number;
  readonly cacheUsage: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly prefixCacheHits: number;
  readonly prefixCacheQueries: number;
  readonly prefixCacheEvictions: number;
  readonly requestSuccess: { readonly stop: number; readonly length: number };
  readonly requestsAborted: number;
  readonly e2eLatency: HistogramSnapshot;
  readonly timeToFirstToken: HistogramSnapshot;
  readonly queueTime: HistogramSnapshot;
}

/** Everything one simulated GPU reports: totals over its models plus the per-model rows. */
export interface GpuMetrics {
  readonly simulated: true;
  readonly gpu: number;
  readonly device: string;
  /** Resident model id ('' while none is loaded); co-located, every resident id joined by ','. */
  readonly model: string;
  readonly running: number;
  readonly waiting: number;
  readonly cacheUsage: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly prefixCacheHits: number;
  readonly prefixCacheQueries: number;
  readonly prefixCacheEvictions: number;
  readonly requestSuccess: { readonly stop: number; readonly length: number };
  readonly requestsAborted: number;
  readonly modelSwitches: number;
  readonly modelLoadS: number;
  readonly busyS: number;
  readonly steps: number;
  /** Running requests pre-empted for KV blocks (freed, recomputed when readmitted). */
  readonly preemptions: number;
  readonly encoderCacheHits: number;
  readonly encoderCacheQueries: number;
  readonly models: readonly ModelMetrics[];
}

/** Mutable counters of one model on one GPU. */
export class ModelStats {
  promptTokens = 0;
  generationTokens = 0;
  stop = 0;
  length = 0;
  aborted = 0;
  hits = 0;
  queries = 0;
  evictions = 0;
  readonly e2e = new Histogram(LATENCY_BUCKETS);
  readonly ttft = new Histogram(TTFT_BUCKETS);
  readonly queue = new Histogram(LATENCY_BUCKETS);

  constructor(readonly model: string) {}

  /** Counters plus gauges; `live` adds the resident prefix cache's counters. */
  snapshot(running: number, waiting: number, live?: { hits: number; queries: number; evictions: number; usage: number }): ModelMetrics {
    return {
      model: this.model, running, waiting, cacheUsage: live?.usage ?? 0,
      promptTokens: this.promptTokens, generationTokens: this.generationTokens,
      prefixCacheHits: this.hits + (live?.hits ?? 0), prefixCacheQueries: this.queries + (live?.queries ?? 0),
      prefixCacheEvictions: this.evictions + (live?.evictions ?? 0),
      requestSuccess: { stop: this.stop, length: this.length }, requestsAborted: this.aborted,
      e2eLatency: this.e2e.snapshot(), timeToFirstToken: this.ttft.snapshot(), queueTime: this.queue.snapshot(),
    };
  }
}

type Summed = 'running' | 'waiting' | 'cacheUsage' | 'promptTokens' | 'generationTokens' | 'prefixCacheHits' | 'prefixCacheQueries' | 'prefixCacheEvictions' | 'requestsAborted';

/** GPU totals: the sums of the per-model counters. */
export function sumModels(models: readonly ModelMetrics[]): Pick<GpuMetrics, Summed | 'requestSuccess'> {
  const sum = (k: Summed): number => models.reduce((s, m) => s + m[k], 0);
  return {
    running: sum('running'), waiting: sum('waiting'), cacheUsage: sum('cacheUsage'), promptTokens: sum('promptTokens'),
    generationTokens: sum('generationTokens'), prefixCacheHits: sum('prefixCacheHits'), prefixCacheQueries: sum('prefixCacheQueries'),
    prefixCacheEvictions: sum('prefixCacheEvictions'), requestsAborted: sum('requestsAborted'),
    requestSuccess: { stop: models.reduce((s, m) => s + m.requestSuccess.stop, 0), length: models.reduce((s, m) => s + m.requestSuccess.length, 0) },
  };
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/** The Prometheus text exposition (format 0.0.4) of `gpus`: vllm:* per (model, gpu), extras per gpu. */
export function renderPrometheus(gpus: readonly GpuMetrics[]): string {
  const out: string[] = ['# agentlake simulator: every figure on this page is simulated (no GPU was used).'];
  const rows = gpus.flatMap((g) => g.models.map((m) => ({ labels: `model_name="${esc(m.model)}",gpu="${g.gpu}"`, m })));
  const head = (name: string, type: string, help: string): void => void out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const vllm = (name: string, type: string, help: string, f: (m: ModelMetrics) => number): void => {
    head(name, type, help);
    for (const r of rows) out.push(`${name}{${r.labels}} ${fmt(f(r.m))}`);
  };
  vllm('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', (m) => m.running);
  vllm('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', (m) => m.waiting);
  vllm('vllm:gpu_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', (m) => m.cacheUsage);
  vllm('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', (m) => m.cacheUsage);
  vllm('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', (m) => m.promptTokens);
  vllm('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', (m) => m.generationTokens);
  vllm('vllm:gpu_prefix_cache_queries_total', 'counter', 'Prefix cache queries, in terms of number of queried tokens.', (m) => m.prefixCacheQueries);
  vllm('vllm:gpu_prefix_cache_hits_total', 'counter', 'Prefix cache hits, in terms of number of cached tokens.', (m) => m.prefixCacheHits);
  vllm('vllm:num_preemptions_total', 'counter', 'Cumulative number of preemptions (none: KV is reserved at admission).', () => 0);
  head('vllm:request_success_total', 'counter', 'Count of successfully processed requests.');
  for (const reason of ['stop', 'length'] as const) {
    for (const r of rows) out.push(`vllm:request_success_total{${r.labels},finished_reason="${reason}"} ${r.m.requestSuccess[reason]}`);
  }
  const histogram = (name: string, help: string, pick: (m: ModelMetrics) => HistogramSnapshot): void => {
    head(name, 'histogram', help);
    for (const r of rows) {
      const h = pick(r.m);
      h.bounds.forEach((b, i) => out.push(`${name}_bucket{${r.labels},le="${fmt(b)}"} ${h.counts[i] ?? 0}`));
      out.push(`${name}_bucket{${r.labels},le="+Inf"} ${h.count}`, `${name}_sum{${r.labels}} ${fmt(h.sum)}`, `${name}_count{${r.labels}} ${h.count}`);
    }
  };
  histogram('vllm:e2e_request_latency_seconds', 'Histogram of end to end request latency in seconds.', (m) => m.e2eLatency);
  histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', (m) => m.timeToFirstToken);
  histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', (m) => m.queueTime);
  const extra = (name: string, help: string, f: (g: GpuMetrics) => number): void => {
    head(name, 'counter', help);
    for (const g of gpus) out.push(`${name}{gpu="${g.gpu}"} ${fmt(f(g))}`);
  };
  extra('agentlake_sim_busy_seconds_total', 'Simulated seconds spent in batch steps.', (g) => g.busyS);
  extra('agentlake_sim_steps_total', 'Simulated batch steps.', (g) => g.steps);
  extra('vllm:num_preemptions_total', 'Cumulative number of preemptions from the engine.', (g) => g.preemptions);
  extra('agentlake_sim_model_switches_total', 'Model loads and wakes.', (g) => g.modelSwitches);
  extra('agentlake_sim_model_load_seconds_total', 'Simulated seconds spent loading or waking models.', (g) => g.modelLoadS);
  extra('agentlake_sim_encoder_cache_hits_total', 'Images whose encoder output was cached.', (g) => g.encoderCacheHits);
  extra('agentlake_sim_encoder_cache_queries_total', 'Images looked up in the encoder cache.', (g) => g.encoderCacheQueries);
  extra('agentlake_sim_requests_aborted_total', 'Requests cancelled by the client.', (g) => g.requestsAborted);
  extra('agentlake_sim_prefix_cache_evictions_total', 'KV blocks evicted from the prefix cache.', (g) => g.prefixCacheEvictions);
  return `${out.join('\n')}\n`;
}
