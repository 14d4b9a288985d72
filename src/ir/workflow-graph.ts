// Level 1 of the IR: a workflow template as the user wrote it, bound. Steps and the edges between them.
// Steps are in declaration order; edges always point from an earlier-computed step to a later one (acyclic).
import type { Span } from '../diag/span.ts';
import type { Decoding, ModelRef, ReturnSpec, Template } from './common.ts';

export type StepKind = 'sql' | 'fetch' | 'llm' | 'vlm' | 'embed' | 'image' | 'debate';

interface StepBase {
  readonly name: string;
  /** FOR EACH ROW OF: one instance per row of this step's output (per input). */
  readonly forEach?: string;
  readonly span?: Span;
}

/** SQL (query): DuckDB over the lakehouse; `sql` uses $name for parameters. */
export interface SqlStep extends StepBase {
  readonly kind: 'sql';
  readonly sql: string;
  readonly params: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

/** FETCH: objects by key or glob (a template), or by the key in a column of the current row. */
export interface FetchStep extends StepBase {
  readonly kind: 'fetch';
  readonly target: Template;
}

/** Where a VLM step's image comes from. */
export type ImageSource =
  | { readonly kind: 'key'; readonly key: Template }
  | { readonly kind: 'step'; readonly step: string };

interface ModelStepBase extends StepBase {
  readonly model: ModelRef;
  readonly system?: Template;
  /** Name and version of the CREATE PROMPT used as SYSTEM, if any. */
  readonly systemPrompt?: { readonly name: string; readonly version: number };
  readonly prompt: Template;
  readonly decoding: Decoding;
}

export interface LlmStep extends ModelStepBase {
  readonly kind: 'llm';
  readonly returns?: ReturnSpec;
}

export interface VlmStep extends ModelStepBase {
  readonly kind: 'vlm';
  readonly image: ImageSource;
  readonly returns?: ReturnSpec;
}

export interface EmbedStep extends ModelStepBase {
  readonly kind: 'embed';
}

export interface ImageStep extends ModelStepBase {
  readonly kind: 'image';
}

/** DEBATE (p1..pk) ROUNDS n: round 1 is the participants' own steps; rounds 2..n call each again with the transcript. */
export interface DebateStep extends StepBase {
  readonly kind: 'debate';
  readonly participants: readonly string[];
  readonly rounds: number;
}

export type WorkflowStep = SqlStep | FetchStep | LlmStep | VlmStep | EmbedStep | ImageStep | DebateStep;

/** Why one step depends on another. */
export type EdgeVia = 'placeholder' | 'for_each' | 'image' | 'participant';

export interface StepEdge {
  readonly from: string;
  readonly to: string;
  readonly via: EdgeVia;
}

export interface WorkflowParam {
  readonly name: string;
  readonly type: string;
}

/** A bound workflow template. */
export interface WorkflowGraph {
  readonly kind: 'workflow_graph';
  readonly name: string;
  readonly version: number;
  readonly params: readonly WorkflowParam[];
  readonly steps: readonly WorkflowStep[];
  readonly edges: readonly StepEdge[];
  readonly output: string;
}

/** Steps in an order where every edge goes forward (Kahn; ties by declaration order). */
export function topoOrder(graph: WorkflowGraph): WorkflowStep[] {
  const indeg = new Map(graph.steps.map((s) => [s.name, 0]));
  for (const e of graph.edges) indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  const out: WorkflowStep[] = [];
  const done = new Set<string>();
  while (out.length < graph.steps.length) {
    const next = graph.steps.find((s) => !done.has(s.name) && (indeg.get(s.name) ?? 0) === 0);
    if (!next) break;
    done.add(next.name);
    out.push(next);
    for (const e of graph.edges) if (e.from === next.name) indeg.set(e.to, (indeg.get(e.to) ?? 0) - 1);
  }
  return out;
}
