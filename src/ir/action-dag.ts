// Level 2 of the IR: the batch instantiated over actual input rows. One action per (step, input, row,
// round); dependencies by id; prompts as segments (static text, bound values, references to other
// actions' outputs). Actions are in a topological order: every dependency precedes its dependent.
import type { Span } from '../diag/span.ts';
import type { Value } from './values.ts';
import type { Decoding, ModelRef, ReturnSpec } from './common.ts';

export type ActionId = string;

export type ActionKind = 'sql' | 'fetch' | 'llm' | 'vlm' | 'vlm_encode' | 'vlm_reason' | 'embed' | 'image' | 'format';

/** Every kind, in the order EXPLAIN lists them. */
export const ACTION_KINDS: readonly ActionKind[] = ['sql', 'fetch', 'format', 'llm', 'vlm', 'vlm_encode', 'vlm_reason', 'embed', 'image'];

/** How a referenced output is rendered into a prompt. */
export type RenderMode = 'text' | 'table' | 'row';

/** A piece of an instantiated prompt. */
export type PromptSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly name: string; readonly value: string }
  | { readonly kind: 'ref'; readonly action: ActionId; readonly render: RenderMode; readonly column?: string };

/**
 * Which statement of a batch, and which model call site of that statement, an action was lowered
 * for (positions from 0). Lowering a statement sets `site`, merging statements into a batch sets
 * `statement`; rules keep an action's origin and give an action they make the origin of the one it
 * stands for. A label: never part of a signature.
 */
export interface ActionOrigin {
  readonly statement: number;
  readonly site: number;
}

interface ActionBase {
  readonly id: ActionId;
  readonly step: string;
  /** Index of the input row this action belongs to; null for batch-level actions (the input query). */
  readonly input: number | null;
  /** Row index under FOR EACH ROW OF. */
  readonly row?: number;
  /** Debate round (2..n) and the participant speaking, for debate calls. */
  readonly round?: number;
  readonly speaker?: string;
  readonly deps: readonly ActionId[];
  readonly span?: Span;
  readonly origin?: ActionOrigin;
}

/** A DuckDB query; `rows` is its row count when it was run while planning. */
export interface SqlAction extends ActionBase {
  readonly kind: 'sql';
  readonly sql: string;
  readonly params: Readonly<Record<string, Value>>;
  /** DuckDB types of the parameters (the workflow's declared types). */
  readonly paramTypes?: Readonly<Record<string, string>>;
  readonly rows?: number;
  /** Estimated tokens of the result rendered as a markdown table. */
  readonly tokens?: number;
}

/** Reads one object (or a glob of objects) from the lakehouse or S3. */
export interface FetchAction extends ActionBase {
  readonly kind: 'fetch';
  readonly key: string;
  readonly objects?: number;
}

/** Renders outputs into text: a markdown table, or a debate transcript. CPU only. */
export interface FormatAction extends ActionBase {
  readonly kind: 'format';
  readonly format: 'markdown_table' | 'transcript';
  readonly parts: readonly PromptSegment[];
}

interface ModelActionBase extends ActionBase {
  readonly model: ModelRef;
  readonly system: readonly PromptSegment[];
  readonly prompt: readonly PromptSegment[];
  readonly decoding: Decoding;
}

export interface LlmAction extends ModelActionBase {
  readonly kind: 'llm';
  readonly returns?: ReturnSpec;
}

/** Where an instantiated VLM call gets its image. */
export type ImageInput = { readonly kind: 'object'; readonly key: string } | { readonly kind: 'ref'; readonly action: ActionId };

export interface VlmAction extends ModelActionBase {
  readonly kind: 'vlm';
  readonly image: ImageInput;
  readonly returns?: ReturnSpec;
}

/** Image encoding half of a split VLM call (optimizer output). */
export interface VlmEncodeAction extends ActionBase {
  readonly kind: 'vlm_encode';
  readonly model: ModelRef;
  readonly image: ImageInput;
}

/** Reasoning half of a split VLM call: depends on its vlm_encode action. */
export interface VlmReasonAction extends ModelActionBase {
  readonly kind: 'vlm_reason';
  readonly encoded: ActionId;
  readonly returns?: ReturnSpec;
}

export interface EmbedAction extends ModelActionBase {
  readonly kind: 'embed';
}

export interface ImageAction extends ModelActionBase {
  readonly kind: 'image';
}

export type Action =
  | SqlAction
  | FetchAction
  | FormatAction
  | LlmAction
  | VlmAction
  | VlmEncodeAction
  | VlmReasonAction
  | EmbedAction
  | ImageAction;

/** True for actions that call a model (what "calls" count everywhere). */
export function isModelCall(a: Action): boolean {
  return a.kind === 'llm' || a.kind === 'vlm' || a.kind === 'vlm_reason' || a.kind === 'embed' || a.kind === 'image';
}

/** One input of the batch: the values bound to the workflow parameters (or the call's argument row). */
export interface InputSlice {
  readonly index: number;
  readonly values: Readonly<Record<string, Value>>;
  /** The action whose output is this input's result (the RETURN step's action). */
  readonly outputs: readonly ActionId[];
}

/** The instantiated batch. */
export interface ActionDag {
  readonly kind: 'action_dag';
  /** What was instantiated: a workflow name, or the model function called in the query. */
  readonly source: string;
  readonly inputs: readonly InputSlice[];
  readonly actions: readonly Action[];
}
