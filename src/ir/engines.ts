// The engines a statement can run on: agentlake's planner, no planner (dependency order), or one of
// the baselines of ALGORITHMS.md §7 — faithful models of what practitioners run today, on the same
// simulator, prompts and rows; only the engine differs. Every figure they produce is simulated.

/** The baseline family (`--baseline NAME`). */
export const BASELINES = ['ray-serve', 'router', 'paper', 'langgraph'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** A bare `--baseline`: Ray Serve LLM over vLLM V1, the deployment most practitioners run. */
export const DEFAULT_BASELINE: BaselineName = 'ray-serve';

/** How statements are planned and run. */
export type EngineName = 'agentlake' | 'off' | BaselineName;

/** Inputs a `langgraph` run keeps in flight (LangGraph's `batch(..., max_concurrency=16)`). */
export const LANGGRAPH_IN_FLIGHT = 16;

/** One line per baseline, for --help, EXPLAIN and the bench report. */
export const BASELINE_SUMMARY: Readonly<Record<BaselineName, string>> = {
  'ray-serve': 'Ray Serve LLM over vLLM V1: prefix caching on, replicas per model in proportion to its work, power-of-two-choices routing on queue length, small models co-located',
  router: 'every ready call to per-model vLLM replicas behind the SGLang router\'s cache-aware policy (longest cached prefix above 30% of the prompt, else the least loaded)',
  paper: 'Ray + vLLM as the LUMILAKE paper describes it: prefix caching off, GPUs split equally among models, calls round-robin',
  langgraph: `LangGraph: each input's steps one after another, ${LANGGRAPH_IN_FLIGHT} inputs in flight, replicas and routing as ray-serve`,
};

export function isBaseline(e: EngineName): e is BaselineName {
  return (BASELINES as readonly string[]).includes(e);
}

/** `'paper'` → 'paper'; anything else → undefined. */
export function baselineNamed(raw: string): BaselineName | undefined {
  return BASELINES.find((b) => b === raw.trim().toLowerCase());
}
