// Builds the EXPLAIN report of an instantiated plan: what runs, how many actions of each kind and
// model, fan-out per step, and estimated prompt tokens. Pure function of the IR: deterministic.
import type { Action, ActionDag, ActionId, ActionKind, PromptSegment } from '../ir/action-dag.ts';
import { ACTION_KINDS, isModelCall } from '../ir/action-dag.ts';
import type { WorkflowGraph } from '../ir/workflow-graph.ts';
import { countTokens } from '../lower/tokens.ts';
import { assertNever } from '../diag/assert-never.ts';

/** Image tokens per image when the model does not say (LLaVA-1.5: 576). */
const DEFAULT_IMAGE_TOKENS = 576;

export interface CountStats {
  readonly total: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface StepReport {
  readonly name: string;
  readonly kind: string;
  readonly model?: string;
  readonly forEach?: string;
  readonly dependsOn: readonly string[];
  /** The step's own actions (calls, queries, fetches) per input. */
  readonly actions: CountStats;
  /** CPU format actions the step adds per input (markdown tables, debate transcripts). */
  readonly format: CountStats;
}

export interface SourceReport {
  readonly kind: 'workflow' | 'function';
  readonly name: string;
  /** Model functions: the model and the typed output, if any. */
  readonly model?: string;
  readonly returns?: string;
  /** Job priority asked for with run_workflow(..., priority => ...). */
  readonly priority?: string;
  readonly version?: number;
  readonly params?: readonly string[];
  readonly inputSql: string;
  readonly inputs: number;
  readonly output?: string;
  readonly steps?: readonly StepReport[];
}

/** The JSON form of EXPLAIN (the text form prints the same figures). */
export interface PlanReport {
  readonly statement: 'query';
  readonly inputs: number;
  readonly sources: readonly SourceReport[];
  readonly actions: {
    readonly total: number;
    readonly modelCalls: number;
    readonly byKind: Readonly<Partial<Record<ActionKind, number>>>;
    readonly byModel: Readonly<Record<string, number>>;
    readonly perInput: Readonly<Partial<Record<ActionKind, CountStats>>>;
  };
  readonly tokens: {
    readonly estimated: true;
    readonly prompt: number;
    readonly promptPerCall: CountStats;
    readonly imageTokens: number;
    readonly outputUpperBound: number;
    readonly byModel: Readonly<Record<string, number>>;
    readonly note: string;
  };
}

/** One source of the plan: a workflow graph or a model function, with the DAG it instantiated. */
export interface PlanPart {
  readonly dag: ActionDag;
  readonly graph?: WorkflowGraph;
  readonly inputSql: string;
  readonly label: string;
  readonly model?: string;
  readonly returns?: string;
  readonly priority?: string;
}

/** Builds the report for the parts of one statement. */
export function planReport(parts: readonly PlanPart[]): PlanReport {
  const all = parts.flatMap((p) => p.dag.actions);
  const byKind: Partial<Record<ActionKind, number>> = {};
  const byModel: Record<string, number> = {};
  for (const a of all) {
    byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    if ('model' in a) byModel[a.model.name] = (byModel[a.model.name] ?? 0) + 1;
  }
  const tokens = estimateTokens(all);
  const inputs = parts.reduce((n, p) => n + p.dag.inputs.length, 0);
  const perInput: Partial<Record<ActionKind, CountStats>> = {};
  for (const kind of ACTION_KINDS) {
    const s = stats(parts.flatMap((p) => countPerInput(p.dag, (a) => a.kind === kind)));
    if (s.total > 0) perInput[kind] = s;
  }
  return {
    statement: 'query',
    inputs,
    sources: parts.map(sourceReport),
    actions: {
      total: all.length,
      modelCalls: all.filter(isModelCall).length,
      byKind: orderedKinds(byKind),
      byModel: sortedRecord(byModel),
      perInput,
    },
    tokens: {
      estimated: true,
      prompt: tokens.prompt,
      promptPerCall: stats(tokens.perCall),
      imageTokens: tokens.image,
      outputUpperBound: tokens.output,
      byModel: sortedRecord(tokens.byModel),
      note: 'estimated with gpt-tokenizer; model outputs referenced by later prompts are counted at their max_tokens',
    },
  };
}

function sourceReport(p: PlanPart): SourceReport {
  const base = {
    name: p.label,
    ...(p.model ? { model: p.model } : {}),
    ...(p.returns ? { returns: p.returns } : {}),
    ...(p.priority ? { priority: p.priority } : {}),
    inputSql: p.inputSql,
    inputs: p.dag.inputs.length,
  };
  const g = p.graph;
  if (!g) return { kind: 'function', ...base };
  const steps: StepReport[] = g.steps.map((s) => ({
    name: s.name,
    kind: s.kind,
    ...('model' in s ? { model: s.model.name } : {}),
    ...(s.forEach ? { forEach: s.forEach } : {}),
    dependsOn: g.edges.filter((e) => e.to === s.name).map((e) => e.from),
    actions: stats(countPerInput(p.dag, (a) => a.step === s.name && a.kind !== 'format')),
    format: stats(countPerInput(p.dag, (a) => a.step === s.name && a.kind === 'format')),
  }));
  return { kind: 'workflow', ...base, version: g.version, params: g.params.map((x) => `${x.name} ${x.type}`), output: g.output, steps };
}

/** Count of matching actions for each input slice. */
function countPerInput(dag: ActionDag, pred: (a: Action) => boolean): number[] {
  const counts = new Array<number>(dag.inputs.length).fill(0);
  for (const a of dag.actions) if (a.input !== null && pred(a)) counts[a.input] = (counts[a.input] ?? 0) + 1;
  return counts;
}

export function stats(xs: readonly number[]): CountStats {
  if (xs.length === 0) return { total: 0, min: 0, max: 0, mean: 0 };
  const total = xs.reduce((a, b) => a + b, 0);
  return { total, min: Math.min(...xs), max: Math.max(...xs), mean: Math.round((total / xs.length) * 100) / 100 };
}

/** Prompt tokens per model call, with referenced outputs estimated (SQL tables exactly, model outputs at max_tokens). */
function estimateTokens(actions: readonly Action[]): { prompt: number; perCall: number[]; image: number; output: number; byModel: Record<string, number> } {
  const out = new Map<ActionId, number>();
  const segTokens = (segs: readonly PromptSegment[]): number =>
    segs.reduce((n, s) => n + (s.kind === 'text' ? countTokens(s.text) : s.kind === 'value' ? countTokens(s.value) : (out.get(s.action) ?? 0)), 0);
  const perCall: number[] = [];
  const byModel: Record<string, number> = {};
  let prompt = 0;
  let image = 0;
  let output = 0;
  for (const a of actions) {
    switch (a.kind) {
      case 'sql':
        out.set(a.id, a.tokens ?? 0);
        break;
      case 'fetch':
      case 'vlm_encode':
        out.set(a.id, 0);
        break;
      case 'format':
        out.set(a.id, segTokens(a.parts));
        break;
      case 'llm':
      case 'vlm':
      case 'vlm_reason':
      case 'embed':
      case 'image': {
        const n = segTokens(a.system) + segTokens(a.prompt);
        perCall.push(n);
        prompt += n;
        byModel[a.model.name] = (byModel[a.model.name] ?? 0) + n;
        if (a.kind === 'vlm' || a.kind === 'vlm_reason') image += DEFAULT_IMAGE_TOKENS;
        const produced = a.kind === 'llm' || a.kind === 'vlm' || a.kind === 'vlm_reason' ? a.decoding.maxTokens : 0;
        output += produced;
        out.set(a.id, produced);
        break;
      }
      default:
        assertNever(a, 'action');
    }
  }
  return { prompt, perCall, image, output, byModel };
}

function orderedKinds(r: Partial<Record<ActionKind, number>>): Partial<Record<ActionKind, number>> {
  const o: Partial<Record<ActionKind, number>> = {};
  for (const k of ACTION_KINDS) if (r[k] !== undefined) o[k] = r[k];
  return o;
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
