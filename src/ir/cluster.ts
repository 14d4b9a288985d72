// The simulated cluster a statement runs on, as one value: the accelerator, how many, what is
// resident at time 0 (nothing: cold; each engine's own first placement: warm; or the same models
// for every engine: preload), and whether its models think first (reasoning). Set from the CLI and
// SQL, planned for, shown by EXPLAIN, recorded in every run's stats. Every figure it affects is simulated.

/** Simulated accelerators (ALGORITHMS.md §6 profiles). */
export const DEVICE_KINDS = ['h100', 'h200'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface ClusterSpec {
  readonly device: DeviceKind;
  readonly gpus: number;
  /**
   * Each engine starts with the models of its own initial placement already loaded (the first model
   * of each GPU's planned order), as an operator pre-deploys for a known workload; only later
   * switches pay a load.
   */
  readonly warm: boolean;
  /** Models resident at time 0 on GPU 0, 1, ... (catalog names), the same for every engine. */
  readonly preload: readonly string[];
  /**
   * Thinking mode (Qwen3's default, vLLM's reasoning parser): every llm/vlm call thinks (hundreds to
   * thousands of tokens, cost/cost-model.ts THINKING_LENGTH) before its answer, within its max_tokens.
   */
  readonly reasoning: boolean;
}

export const DEFAULT_CLUSTER: ClusterSpec = { device: 'h100', gpus: 1, warm: false, preload: [], reasoning: false };

/** `4× H200, warm` / `1× H100, cold` / `2× H100, preload qwen3_8b,llava` / `1× H100, cold, reasoning`: how stats and EXPLAIN name it. */
export function clusterLabel(c: ClusterSpec): string {
  const start = c.preload.length > 0 ? `preload ${c.preload.join(',')}` : c.warm ? 'warm' : 'cold';
  return `${c.gpus}× ${c.device.toUpperCase()}, ${start}${c.reasoning ? ', reasoning' : ''}`;
}

/** `'qwen3_8b, llava'` → `['qwen3_8b', 'llava']` (a model per GPU from GPU 0; '' is none). */
export function preloadList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
}

/** The cluster options as a command line gives them (`--gpus`, `--device`, `--warm`, `--preload`, `--reasoning`). */
export interface ClusterArgs {
  readonly gpus: string;
  readonly device: string;
  readonly warm: boolean;
  /** Comma-separated model names, one per GPU from GPU 0. */
  readonly preload: string;
  readonly reasoning: boolean;
}

/** The cluster the options describe, or why they do not describe one. */
export function parseClusterArgs(a: ClusterArgs): ClusterSpec | { readonly error: string } {
  const gpus = Number(a.gpus);
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > 64) return { error: `--gpus takes a whole number from 1 to 64, got '${a.gpus}'` };
  const device = DEVICE_KINDS.find((d) => d === a.device.toLowerCase());
  if (device === undefined) return { error: `--device is ${DEVICE_KINDS.join(' or ')}, got '${a.device}'` };
  const preload = preloadList(a.preload);
  if (preload.length > gpus) return { error: `--preload names ${preload.length} models for ${gpus} GPU${gpus === 1 ? '' : 's'} (one per GPU from GPU 0)` };
  return { device, gpus, warm: a.warm, preload, reasoning: a.reasoning };
}
