// Renders an EXPLAIN report as deterministic text (STYLE.md): numbered lines, indentation by depth,
// `Kind: key=value` labels, no timestamps, paths or ports.
import type { Action, ActionDag } from '../ir/action-dag.ts';
import { actionFields, stepFields } from '../ir/format-node.ts';
import type { CountStats, PlanPart, PlanReport } from './plan-report.ts';

/** One `Kind: key=value ...` label (empty fields left out; values with spaces, quotes or `=` quoted). */
export function labelText(label: string, fields: Readonly<Record<string, string | number | undefined>> = {}): string {
  const kv = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`);
  return kv.length > 0 ? `${label}: ${kv.join(' ')}` : label;
}

/** Collects lines with their depth, then numbers them. */
export class TextPlan {
  private readonly lines: { depth: number; text: string }[] = [];
  add(depth: number, label: string, fields: Readonly<Record<string, string | number | undefined>> = {}): void {
    this.lines.push({ depth, text: labelText(label, fields) });
  }
  /** A line already made by `labelText` (kept in JSON reports, printed as they are). */
  addText(depth: number, text: string): void {
    this.lines.push({ depth, text });
  }
  toString(): string {
    const width = String(this.lines.length).length;
    return this.lines.map((l, i) => `${String(i + 1).padStart(width)}  ${'  '.repeat(l.depth)}${l.text}`).join('\n') + '\n';
  }
}

function perInput(s: CountStats): string {
  return s.min === s.max ? String(s.min) : `${s.mean} (${s.min}..${s.max})`;
}

/** Text form of a plan report; VERBOSE adds the actions of the first input slice of each source. */
export function renderPlanText(r: PlanReport, verbose?: readonly PlanPart[], more?: (t: TextPlan) => void): string {
  const t = new TextPlan();
  t.add(0, 'Plan', { inputs: r.inputs, actions: r.actions.total, model_calls: r.actions.modelCalls });
  r.sources.forEach((s, k) => {
    if (s.kind === 'workflow') t.add(1, 'Workflow', { name: s.name, version: s.version, params: `(${(s.params ?? []).join(', ')})`, return: s.output, priority: s.priority });
    else t.add(1, 'Function', { name: s.name, model: s.model, returns: s.returns });
    t.add(2, 'Input', { rows: s.inputs, sql: s.inputSql });
    const graph = verbose?.[k]?.graph;
    for (const step of s.steps ?? []) {
      t.add(2, 'Step', {
        name: step.name,
        kind: step.kind,
        model: step.model,
        for_each: step.forEach,
        after: step.dependsOn.length > 0 ? step.dependsOn.join(',') : undefined,
        actions: step.actions.total,
        per_input: perInput(step.actions),
        format: step.format.total > 0 ? step.format.total : undefined,
      });
      const spec = graph?.steps.find((x) => x.name === step.name);
      if (spec) t.add(3, 'Spec', stepFields(spec));
    }
    const dag = verbose?.[k]?.dag;
    if (dag) renderSlice(t, dag);
  });
  t.add(1, 'Actions', { total: r.actions.total, ...r.actions.byKind });
  t.add(1, 'PerInput', Object.fromEntries(Object.entries(r.actions.perInput).map(([k, v]) => [k, perInput(v)])));
  t.add(1, 'Models', r.actions.byModel);
  t.add(1, 'Tokens', {
    estimated_prompt: r.tokens.prompt,
    per_call: perInput(r.tokens.promptPerCall),
    image: r.tokens.imageTokens,
    output_upper_bound: r.tokens.outputUpperBound,
  });
  t.add(2, 'ByModel', r.tokens.byModel);
  t.add(2, 'Note', { text: r.tokens.note });
  more?.(t);
  return t.toString();
}

/** VERBOSE: every action of input slice 0, with dependencies and a prompt sketch. */
function renderSlice(t: TextPlan, dag: ActionDag): void {
  const first = dag.actions.filter((a) => a.input === 0 || a.input === null);
  t.add(2, 'Slice', { input: 0, actions: first.filter((a) => a.input === 0).length });
  for (const a of first) t.add(3, kindLabel(a), actionFields(a));
}

/** DAGs of at most this many actions are shown whole after each rewrite; larger ones by their first input. */
export const WHOLE_DAG_MAX = 24;

/** What EXPLAIN VERBOSE shows of a DAG after a rewrite: its action lines, whole or restricted. */
export interface DagView {
  readonly actions: number;
  /** `all`: every action; `input 0`: the batch-level actions and those of each call site's first input. */
  readonly shown: 'all' | 'input 0';
  readonly lines: readonly string[];
}

/**
 * The DAG as action lines (the labels of the VERBOSE slice): whole when it has at most
 * WHOLE_DAG_MAX actions, else restricted like the slice (input 0 and batch-level actions), in DAG order.
 */
export function dagView(dag: ActionDag): DagView {
  const whole = dag.actions.length <= WHOLE_DAG_MAX;
  const shown = whole ? dag.actions : dag.actions.filter((a) => a.input === 0 || a.input === null);
  return { actions: dag.actions.length, shown: whole ? 'all' : 'input 0', lines: shown.map((a) => labelText(kindLabel(a), actionFields(a))) };
}

function kindLabel(a: Action): string {
  return a.kind.charAt(0).toUpperCase() + a.kind.slice(1).replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
}
