// A query bound against the catalog: its model call sites (workflow calls, model functions, llm_map),
// each with its model, prompt and the input query DuckDB runs for the rows it applies to, and
// DuckDB's parse tree of the query for assembly. What bind produces and lower, assemble, governance
// and the engine read; plain data.
import type { Span } from '../diag/span.ts';
import type { JsonNode } from '../sql/duck-ast.ts';
import type { SqlStatement, SqlText } from '../sql/ast.ts';
import type { Decoding, ModelRef, Priority, ReturnSpec } from './common.ts';
import type { WorkflowGraph } from './workflow-graph.ts';

/** The model functions a query may call row by row (llm_map is a table function). */
export const MODEL_FUNCTIONS = ['llm', 'llm_agg', 'llm_filter', 'vlm', 'embed'] as const;
export type ModelFunction = (typeof MODEL_FUNCTIONS)[number];

/** A prompt over the columns of an input query: static text and column values. */
export type SitePart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'column'; readonly name: string };

export interface FunctionSite {
  readonly kind: 'function';
  readonly fn: ModelFunction;
  readonly model: ModelRef;
  readonly inputSql: string;
  readonly prompt: readonly SitePart[];
  readonly system?: string;
  readonly systemPrompt?: { readonly name: string; readonly version: number };
  /** Input column holding the image key (vlm). */
  readonly imageColumn?: string;
  readonly decoding: Decoding;
  readonly returns?: ReturnSpec;
  readonly span: Span;
  /** The input query's items (DuckDB parse-tree nodes): the final query recomputes their row key. */
  readonly items: readonly JsonNode[];
  /** Where DuckDB recorded the call (bytes into the query text), to find it again when rewriting. */
  readonly location: number;
  /** The call sits in an aggregating SELECT (its key must be read with any_value). */
  readonly aggregate: boolean;
}

export interface MapSite extends Omit<FunctionSite, 'kind' | 'fn' | 'items' | 'aggregate'> {
  readonly kind: 'llm_map';
}

/** Name of the input-query column holding each row's lookup key. */
export const ROW_KEY = '__agentlake_key';

/** A workflow applied to input rows (FROM call or run_workflow). */
export interface WorkflowSite {
  readonly kind: 'workflow';
  readonly graph: WorkflowGraph;
  readonly inputSql: string;
  readonly priority?: Priority;
  readonly span: Span;
}

export type CallSite = WorkflowSite | FunctionSite | MapSite;

/** A query with its model call sites; `sites` is empty for plain SQL. */
export interface BoundQuery {
  readonly statement: SqlStatement;
  readonly query: SqlText;
  readonly sites: readonly CallSite[];
  /**
   * DuckDB's parse tree of the query, as parsed once here: assembly rewrites a copy of it (model
   * calls replaced by their results) instead of parsing the query again.
   */
  readonly template: JsonNode | undefined;
}

/** The columns a workflow call returns: its RETURN step's output columns. */
export function outputColumns(graph: WorkflowGraph): string[] {
  const step = graph.steps.find((s) => s.name === graph.output);
  if (!step) return [];
  if ((step.kind === 'llm' || step.kind === 'vlm') && step.returns) return step.returns.columns.map((c) => c.name);
  if (step.kind === 'sql') return step.columns.map((c) => c.name.toLowerCase());
  return step.kind === 'debate' ? ['transcript'] : step.kind === 'embed' ? ['embedding'] : step.kind === 'fetch' || step.kind === 'image' ? ['key'] : ['text'];
}
