// A job: one submitted SQL script with its tenant, user and priority, the inputs it runs over, and
// its progress. Plain JSON-safe data (it is persisted as is by the job store); the manager replaces a
// job with an updated copy, never mutates one. Times are milliseconds from the manager's clock.
import type { Priority } from '../ir/common.ts';
import type { Value } from '../ir/values.ts';


export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(['done', 'failed', 'cancelled']);

/**
 * What the affinity distance compares between slices (ALGORITHMS.md §5): the models a job calls,
 * the tokens of its system prompts, and its model calls per input (N of a slice = this × its inputs).
 */
export interface AffinityProfile {
  readonly models: readonly string[];
  readonly systemTokens: readonly string[];
  readonly callsPerInput: number;
}

/** The profile of a job that says nothing about itself: every such job is alike. */
export const EMPTY_PROFILE: AffinityProfile = { models: [], systemTokens: [], callsPerInput: 1 };

/** Counters a client polls; `doneSlices` makes a restarted server skip finished slices. */
export interface JobProgress {
  readonly slicesTotal: number;
  readonly slicesDone: number;
  /** Indexes of finished slices, ascending. */
  readonly doneSlices: readonly number[];
  /** Model calls as the runner reports them (0 when it reports none). */
  readonly callsTotal: number;
  readonly callsDone: number;
  readonly cacheHits: number;
}

export interface Job {
  readonly id: string;
  readonly tenant: string;
  readonly user: string;
  readonly priority: Priority;
  readonly sql: string;
  readonly state: JobState;
  /** The rows (or values) the job runs over; one slice covers `sliceSize` of them. */
  readonly inputs: readonly Value[];
  readonly sliceSize: number;
  readonly profile: AffinityProfile;
  readonly progress: JobProgress;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly error: string | null;
  /**
   * Session settings the job runs under, by name without the `agentlake.` prefix (a connection's
   * `SET agentlake.cache = off`); the runner interprets them.
   */
  readonly settings: Readonly<Record<string, string>>;
}

/** True for a string naming a priority. */
export function isPriority(x: unknown): x is Priority {
  return x === 'high' || x === 'medium' || x === 'low';
}

/** True for a string naming a job state. */
export function isJobState(x: unknown): x is JobState {
  return x === 'queued' || x === 'running' || x === 'done' || x === 'failed' || x === 'cancelled';
}

/** Lowercase word tokens of a system prompt, distinct and sorted (the set Jaccard compares). */
export function promptTokens(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].sort();
}
