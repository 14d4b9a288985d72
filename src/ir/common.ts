// IR building blocks shared by both levels: model references, decoding parameters, prompt templates
// and returned-column specs. Plain readonly JSON-serializable data.
import type { Span } from '../diag/span.ts';

/** What a model does. */
export const MODEL_KINDS = ['llm', 'vlm', 'embedding', 'diffusion'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A job's or statement's priority in the multi-tenant queues. */
export type Priority = 'high' | 'medium' | 'low';

/** Every priority, highest first (the order queues are served in). */
export const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];

/** A resolved model: what the runtime needs to call it (never a secret). */
export interface ModelRef {
  readonly name: string;
  readonly kind: ModelKind;
  readonly endpoint: string;
  readonly modelName: string;
  readonly paramsB: number;
  readonly version: number;
}

/** Decoding parameters; temperature 0 is the default (analytics must be reproducible). */
export interface Decoding {
  readonly temperature: number;
  readonly maxTokens: number;
  readonly seed?: number;
  readonly topP?: number;
  /** Image size for diffusion calls. */
  readonly width?: number;
  readonly height?: number;
}

/** A call is deterministic (mergeable, cacheable) at temperature 0 or with a fixed seed. */
export function isDeterministic(d: Decoding): boolean {
  return d.temperature === 0 || d.seed !== undefined;
}

export const DEFAULT_DECODING: Decoding = { temperature: 0, maxTokens: 512 };

/** A piece of a step's prompt template as the user wrote it. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string; readonly span?: Span }
  | { readonly kind: 'column'; readonly name: string; readonly span?: Span }
  | { readonly kind: 'step'; readonly name: string; readonly span?: Span };

export type Template = readonly TemplatePart[];

/** One column of a RETURNS (...) list: DuckDB type and optional CHECK expression (SQL over the columns). */
export interface ReturnColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly check?: string;
}

/** A typed structured output. */
export interface ReturnSpec {
  readonly columns: readonly ReturnColumnSpec[];
}
