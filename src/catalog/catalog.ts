// Catalog objects (models, prompts, workflows, workers) as plain data, and the read-only snapshot the binder
// resolves names against. Persistence lives in catalog-store.ts.
import type { ModelKind } from '../ir/common.ts';

/** A model declared with CREATE MODEL. Never holds a secret: only the name of the env var with the key. */
export interface ModelDef {
  readonly name: string;
  readonly kind: ModelKind;
  readonly endpoint: string;
  readonly modelName: string;
  readonly paramsB?: number;
  readonly apiKeyEnv?: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly version: number;
}

/** A reusable, versioned prompt text (CREATE PROMPT). */
export interface PromptDef {
  readonly name: string;
  readonly text: string;
  readonly version: number;
}

/** A workflow template: its CREATE WORKFLOW source is the definition, re-parsed and re-bound at each use. */
export interface WorkflowDef {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly returnStep: string;
  readonly stepCount: number;
  readonly source: string;
  /** Hash of the definition's meaning (layout and OR REPLACE ignored): equal means unchanged. */
  readonly fingerprint: string;
  readonly version: number;
}

/**
 * An inference server agentlake schedules calls onto (CREATE WORKER): an OpenAI-compatible endpoint
 * serving some catalog models. Calls of a model served by workers are spread over them.
 */
export interface WorkerDef {
  readonly name: string;
  readonly endpoint: string;
  readonly models: readonly string[];
  readonly gpu?: string;
  readonly maxConcurrency?: number;
  readonly version: number;
}

/** What the binder sees: every catalog object by (lower-case) name. */
export interface CatalogSnapshot {
  readonly models: ReadonlyMap<string, ModelDef>;
  readonly prompts: ReadonlyMap<string, PromptDef>;
  readonly workflows: ReadonlyMap<string, WorkflowDef>;
  readonly workers: ReadonlyMap<string, WorkerDef>;
}
