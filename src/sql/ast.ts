// The parsed form of an agentlake script: extension statements fully parsed, plain DuckDB
// statements kept as source text (DuckDB parses those itself). Plain readonly data with spans.
import type { Span } from '../diag/span.ts';

/** An identifier as written: `name` is lower-cased unless it was double-quoted. */
export interface Ident {
  readonly name: string;
  readonly span: Span;
}

/** A string literal. `raw` is the text between the quotes, exactly as written (escapes unprocessed). */
export interface StringLit {
  readonly kind: 'string';
  readonly value: string;
  readonly raw: string;
  readonly rawStart: number;
  readonly quote: 'single' | 'dollar';
  readonly span: Span;
}

export interface NumberLit {
  readonly kind: 'number';
  readonly value: number;
  readonly span: Span;
}

export interface IdentLit {
  readonly kind: 'ident';
  readonly name: string;
  readonly span: Span;
}

export interface BoolLit {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly span: Span;
}

export type Literal = StringLit | NumberLit | IdentLit | BoolLit;

/** `key value` in MODEL (...) options and WITH (...) decoding lists. */
export interface OptionPair {
  readonly key: Ident;
  readonly value: Literal;
  readonly span: Span;
}

/** A piece of SQL source kept verbatim, with where it sits in the script. */
export interface SqlText {
  readonly text: string;
  readonly span: Span;
}

export interface CreateModel {
  readonly kind: 'create_model';
  readonly orReplace: boolean;
  readonly name: Ident;
  readonly options: readonly OptionPair[];
  readonly span: Span;
}

/** A list of names in worker options: `MODELS (a, b)`. */
export interface IdentListLit {
  readonly kind: 'list';
  readonly items: readonly Ident[];
  readonly span: Span;
}

/** `key value` or `key (name, ...)` in WORKER (...) options. */
export interface WorkerOption {
  readonly key: Ident;
  readonly value: Literal | IdentListLit;
  readonly span: Span;
}

/** `CREATE WORKER name (ENDPOINT '...', MODELS (...), GPU 'H100')`: an inference server agentlake schedules onto. */
export interface CreateWorker {
  readonly kind: 'create_worker';
  readonly orReplace: boolean;
  readonly name: Ident;
  readonly options: readonly WorkerOption[];
  readonly span: Span;
}

export interface CreatePrompt {
  readonly kind: 'create_prompt';
  readonly orReplace: boolean;
  readonly name: Ident;
  readonly text: StringLit;
  readonly span: Span;
}

export interface ParamDecl {
  readonly name: Ident;
  readonly type: SqlText;
  readonly span: Span;
}

export interface CreateWorkflow {
  readonly kind: 'create_workflow';
  readonly orReplace: boolean;
  readonly name: Ident;
  readonly params: readonly ParamDecl[];
  readonly steps: readonly StepDecl[];
  readonly returns: Ident;
  readonly span: Span;
}

export type CatalogObjectKind = 'model' | 'prompt' | 'workflow' | 'worker';

export interface DropObject {
  readonly kind: 'drop';
  readonly object: CatalogObjectKind;
  readonly ifExists: boolean;
  readonly name: Ident;
  readonly span: Span;
}

export interface Show {
  readonly kind: 'show';
  readonly what: 'models' | 'prompts' | 'workflows' | 'workers';
  readonly span: Span;
}

export interface Explain {
  readonly kind: 'explain';
  readonly mode: 'plain' | 'verbose' | 'analyze';
  readonly statement: Statement;
  readonly span: Span;
}

/**
 * A statement DuckDB parses. `form` says where an inner query sits so extension functions
 * inside `CREATE TABLE .. AS`, `INSERT .. SELECT` and `COPY (..) TO` can be found.
 */
export interface SqlStatement {
  readonly kind: 'sql';
  readonly form: 'query' | 'create_table_as' | 'insert' | 'copy' | 'other';
  readonly text: string;
  readonly query?: SqlText;
  readonly target?: Ident;
  readonly span: Span;
}

export type Statement = CreateModel | CreatePrompt | CreateWorkflow | CreateWorker | DropObject | Show | Explain | SqlStatement;

export interface StepDecl {
  readonly name: Ident;
  readonly body: StepBody;
  readonly span: Span;
}

/** `SYSTEM 'text'` or `SYSTEM prompt_name`. */
export type SystemRef = StringLit | IdentLit;

/** A column of a RETURNS (...) list. */
export interface ReturnColumn {
  readonly name: Ident;
  readonly type: SqlText;
  readonly check?: SqlText;
  readonly span: Span;
}

/** Clauses after a model name, in any order, each at most once. */
export interface StepClauses {
  readonly forEach?: Ident;
  readonly system?: SystemRef;
  readonly prompt?: StringLit;
  readonly returns?: readonly ReturnColumn[];
  readonly with?: readonly OptionPair[];
  readonly image?: ValueRef;
}

/** A FETCH target or IMAGE source: a templated string or a name (column, parameter or step). */
export type ValueRef = StringLit | IdentLit;

export interface SqlStepBody {
  readonly kind: 'sql';
  readonly query: SqlText;
  readonly span: Span;
}
export interface FetchStepBody {
  readonly kind: 'fetch';
  readonly target: ValueRef;
  readonly forEach?: Ident;
  readonly span: Span;
}
export interface ModelStepBody {
  readonly kind: 'llm' | 'vlm' | 'embed' | 'image';
  readonly model: Ident;
  readonly clauses: StepClauses;
  readonly span: Span;
}
export interface DebateStepBody {
  readonly kind: 'debate';
  readonly participants: readonly Ident[];
  readonly rounds: NumberLit;
  readonly span: Span;
}
export type StepBody = SqlStepBody | FetchStepBody | ModelStepBody | DebateStepBody;

/** A whole script: statements in order (each parsed independently, so one bad statement does not hide the others). */
export interface Script {
  readonly statements: readonly Statement[];
}
