// What a Session is opened with and what its scripts run with: the session's options (lakehouse,
// the simulated cluster, cache, baseline), one script run's options, and a batch's scripts and results.
import type { Source } from '../diag/span.ts';
import type { BaselineName } from '../ir/engines.ts';
import type { DeviceKind } from '../ir/cluster.ts';
import type { Progress } from '../ir/run-stats.ts';
import type { ActionEvent } from '../runtime/executor.ts';
import type { FaultOptions } from '../sim/faults.ts';
import type { ExecContext, Outcome } from './outcome.ts';
import type { Settings } from './settings.ts';

/** Options of one script run. */
export interface RunOptions {
  readonly verbose?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Every finished action of a model statement (provenance's source), e.g. for bench/ figures. */
  readonly onEvent?: (e: ActionEvent) => void;
}

/** One script of a batch (`Session.runBatch`). */
export interface BatchScript extends ExecContext {
  readonly source: Source;
  /**
   * agentlake.* settings to start from (a connection's SETs) over the session's own; the script's
   * own SETs last until its end only.
   */
  readonly settings?: Partial<Pick<Settings, 'cache' | 'optimizer' | 'priority'>>;
}

/** How one script of a batch ended. */
export type ScriptResult = { readonly ok: true; readonly outcome: Outcome } | { readonly ok: false; readonly error: unknown };

export interface SessionOptions {
  /** Lakehouse folder (default ./lakehouse) or `s3://bucket/prefix`. */
  readonly lakehouse: string;
  /** Load the built-in models, prompts and workflows into a new lakehouse (default true). */
  readonly bootstrap?: boolean;
  /** Simulated GPUs behind sim:// models (default 1). */
  readonly gpus?: number;
  /** The simulated accelerator (default h100), warm start and preloaded models (ir/cluster.ts). */
  readonly device?: DeviceKind;
  readonly warm?: boolean;
  readonly preload?: readonly string[];
  /** Thinking mode: every sim:// llm/vlm call thinks before it answers (default false). */
  readonly reasoning?: boolean;
  /** Use the response cache for deterministic calls (default true). */
  readonly cache?: boolean;
  /** Fault injection on the simulated cluster (tests). */
  readonly faults?: FaultOptions;
  /**
   * Run as one of ALGORITHMS.md §7's baselines does (ir/engines.ts): each call sent when its
   * dependencies finish, no dedup, no response cache; the baseline decides replicas and routing.
   */
  readonly baseline?: BaselineName;
  /**
   * The simulated cluster is the owner's (`agentlake serve --gpus/--device/--warm/--preload/--reasoning`): a SET of
   * any cluster setting is refused (B0133), since the cluster is shared by everyone's statements.
   * Default false.
   */
  readonly fixedGpus?: boolean;
}
