// Lowers a bound WorkflowGraph over actual input rows into an ActionDag: one action per (step, input,
// row, round). SQL steps are run while planning (pure, deterministic, allowed) so FOR EACH fan-out and
// table sizes are exact; no model is ever called here. Actions come out in topological order.
import { fail } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import type { Action, ActionDag, ActionId, FormatAction, InputSlice, PromptSegment } from '../ir/action-dag.ts';
import type { Template } from '../ir/common.ts';
import { markdownTable, valueText } from '../ir/markdown.ts';
import { topoOrder, type DebateStep, type WorkflowGraph, type WorkflowStep } from '../ir/workflow-graph.ts';
import type { Rows, Value } from '../ir/values.ts';
import type { DataProbe } from './data-probe.ts';
import { countTokens } from './tokens.ts';

/** One instance of a step for one input: the action that produces it and, when known at plan time, its row values. */
interface Instance {
  readonly action: ActionId;
  readonly row?: number;
  readonly values?: Readonly<Record<string, Value>>;
}

/** How the input rows were produced (a batch-level SQL action the slices depend on). */
export interface InputQuery {
  readonly sql: string;
  readonly span?: Span;
}

/** Instantiates `graph` once per row of `inputs` (values in parameter order). */
export async function lowerWorkflow(graph: WorkflowGraph, inputs: readonly (readonly Value[])[], input: InputQuery, probe: DataProbe): Promise<ActionDag> {
  const actions = new ActionList();
  const inputId = 'input';
  actions.push({ kind: 'sql', id: inputId, step: '<input>', input: null, deps: [], sql: input.sql, params: {}, rows: inputs.length, ...(input.span ? { span: input.span } : {}) });
  const order = topoOrder(graph);
  const slices: InputSlice[] = [];
  const values = inputs.map((row) => Object.fromEntries(graph.params.map((p, k) => [p.name, row[k] ?? null])) as Record<string, Value>);
  // SQL steps read only parameters: run each once for the whole batch.
  const types = Object.fromEntries(graph.params.map((p) => [p.name, p.type]));
  const sqlResults = new Map<string, readonly Rows[]>();
  for (const step of order) {
    if (step.kind !== 'sql') continue;
    const params = values.map((v) => Object.fromEntries(step.params.map((p) => [p, v[p] ?? null])));
    sqlResults.set(step.name, await probe.runSqlBatch(step.sql, params, types));
  }
  for (let i = 0; i < inputs.length; i++) {
    const ctx = new SliceContext(graph, i, values[i] ?? {}, inputId, actions, sqlResults, probe);
    for (const step of order) await ctx.lowerStep(step);
    // A SQL RETURN step's rows are instances of one action: its output is that action once.
    slices.push({ index: i, values: values[i] ?? {}, outputs: [...new Set(ctx.instancesOf(graph.output).map((x) => x.action))] });
  }
  return { kind: 'action_dag', source: graph.name, inputs: slices, actions: actions.list };
}

/** Actions in creation order (a topological order), with lookup by id. */
class ActionList {
  readonly list: Action[] = [];
  private readonly byId = new Map<ActionId, Action>();
  push(a: Action): void {
    this.list.push(a);
    this.byId.set(a.id, a);
  }
  get(id: ActionId): Action | undefined {
    return this.byId.get(id);
  }
}

/** Lowers all steps of one input slice. */
class SliceContext {
  private readonly instances = new Map<string, Instance[]>();
  private readonly tables = new Map<ActionId, ActionId>();

  constructor(
    private readonly graph: WorkflowGraph,
    private readonly input: number,
    private readonly values: Readonly<Record<string, Value>>,
    private readonly inputId: ActionId,
    private readonly actions: ActionList,
    private readonly sqlResults: ReadonlyMap<string, readonly Rows[]>,
    private readonly probe: DataProbe,
  ) {}

  instancesOf(step: string): readonly Instance[] {
    return this.instances.get(step) ?? [];
  }

  private id(step: string, row?: number, suffix = ''): ActionId {
    return `${step}#${this.input}${row === undefined ? '' : `.${row}`}${suffix}`;
  }

  async lowerStep(step: WorkflowStep): Promise<void> {
    const span = step.span ? { span: step.span } : {};
    const base = { step: step.name, input: this.input, ...span };
    const out: Instance[] = [];
    if (step.kind === 'sql') {
      const params: Record<string, Value> = {};
      for (const p of step.params) params[p] = this.values[p] ?? null;
      const result = this.sqlResults.get(step.name)?.[this.input] ?? { columns: step.columns, rows: [] };
      const id = this.id(step.name);
      const tokens = countTokens(markdownTable(result.columns.map((c) => c.name), result.rows));
      const paramTypes = Object.fromEntries(step.params.map((p) => [p, this.graph.params.find((x) => x.name === p)?.type ?? 'VARCHAR']));
      this.actions.push({ kind: 'sql', id, ...base, deps: [this.inputId], sql: step.sql, params, paramTypes, rows: result.rows.length, tokens });
      result.rows.forEach((r, k) => out.push({ action: id, row: k, values: Object.fromEntries(result.columns.map((c, j) => [c.name.toLowerCase(), r[j] ?? null])) }));
      this.instances.set(step.name, out);
      // The table itself (for {{step}} references) is the SQL action; rows are the fan-out instances.
      this.tables.set(step.name, id);
      return;
    }
    if (step.kind === 'debate') {
      this.lowerDebate(step, base);
      return;
    }
    for (const [k, row] of this.rowsFor(step).entries()) {
      const suffix = row ? k : undefined;
      if (step.kind === 'fetch') {
        const key = this.staticText(step.target, row, step.name, 'FETCH target');
        const objects = /[*?[]/.test(key) ? await this.probe.listObjects(key) : [{ key, size: 0 }];
        const fanOut = row !== undefined || objects.length !== 1 || key !== objects[0]?.key;
        for (const o of objects) {
          const n = out.length;
          const id = this.id(step.name, fanOut ? n : undefined);
          this.actions.push({ kind: 'fetch', id, ...base, ...(fanOut ? { row: n } : {}), deps: this.rowDeps(row), key: o.key });
          out.push({ action: id, ...(fanOut ? { row: n } : {}), values: { key: o.key, size: o.size } });
        }
        continue;
      }
      const id = this.id(step.name, suffix);
      const deps = new Set<ActionId>(this.rowDeps(row));
      const system = step.system ? this.segments(step.system, row, step, deps) : [];
      const prompt = this.segments(step.prompt, row, step, deps);
      const common = { id, ...base, ...(suffix !== undefined ? { row: suffix } : {}), model: step.model, system, prompt, decoding: step.decoding };
      if (step.kind === 'vlm') {
        const image = step.image.kind === 'key'
          ? { kind: 'object' as const, key: this.staticText(step.image.key, row, step.name, 'IMAGE key') }
          : { kind: 'ref' as const, action: this.imageRef(step.image.step, step.name, row, deps) };
        this.actions.push({ ...common, kind: 'vlm', deps: [...deps], image, ...(step.returns ? { returns: step.returns } : {}) });
      } else if (step.kind === 'llm') {
        this.actions.push({ ...common, kind: 'llm', deps: [...deps], ...(step.returns ? { returns: step.returns } : {}) });
      } else {
        this.actions.push({ ...common, kind: step.kind, deps: [...deps] });
      }
      out.push({ action: id, ...(suffix !== undefined ? { row: suffix } : {}) });
    }
    this.instances.set(step.name, out);
  }

  /** The rows a step runs over: one undefined row, or one per row of its FOR EACH source. */
  private rowsFor(step: WorkflowStep): (Instance | undefined)[] {
    return step.forEach ? [...this.instancesOf(step.forEach)] : [undefined];
  }

  /** A FOR EACH row produced by a model step is only known at run time: depend on it. */
  private rowDeps(row: Instance | undefined): ActionId[] {
    return row ? [row.action] : [this.inputId];
  }

  /** Renders a template that must be known while planning (object keys). */
  private staticText(t: Template, row: Instance | undefined, step: string, what: string): string {
    let s = '';
    for (const p of t) {
      if (p.kind === 'text') s += p.text;
      else if (p.kind === 'param') s += valueText(this.values[p.name]);
      else if (p.kind === 'column' && row?.values && p.name in row.values) s += valueText(row.values[p.name]);
      else fail('B0601', `${what} of step '${step}' uses '{{${p.name}}}', which is only known after a model runs; object keys must come from parameters, SQL or FETCH rows`, p.span);
    }
    return s;
  }

  /** Instantiates a prompt template for one instance, collecting dependencies. */
  private segments(t: Template, row: Instance | undefined, step: WorkflowStep, deps: Set<ActionId>): PromptSegment[] {
    const out: PromptSegment[] = [];
    for (const p of t) {
      if (p.kind === 'text') out.push({ kind: 'text', text: p.text });
      else if (p.kind === 'param') out.push({ kind: 'value', name: p.name, value: valueText(this.values[p.name]) });
      else if (p.kind === 'column') {
        if (row?.values && p.name in row.values) out.push({ kind: 'value', name: p.name, value: valueText(row.values[p.name]) });
        else if (row) {
          deps.add(row.action);
          out.push({ kind: 'ref', action: row.action, render: 'text', column: p.name });
        }
      } else out.push(...this.stepRef(p.name, step, row, deps));
    }
    return out;
  }

  /** `{{step}}`: a SQL table as markdown, a model output as text, fan-out outputs one after another. */
  private stepRef(name: string, self: WorkflowStep, row: Instance | undefined, deps: Set<ActionId>): PromptSegment[] {
    const target = this.graph.steps.find((s) => s.name === name);
    if (target?.kind === 'sql') {
      const fmt = this.markdownOf(name);
      deps.add(fmt);
      return [{ kind: 'ref', action: fmt, render: 'text' }];
    }
    const inst = this.instancesOf(name);
    // Two steps fanned out over the same source pair up row by row.
    if (row && target?.forEach && target.forEach === self.forEach) {
      const same = inst.find((x) => x.row === row.row);
      if (same) {
        deps.add(same.action);
        return [{ kind: 'ref', action: same.action, render: 'text' }];
      }
    }
    const out: PromptSegment[] = [];
    inst.forEach((x, k) => {
      deps.add(x.action);
      if (k > 0) out.push({ kind: 'text', text: '\n\n' });
      out.push({ kind: 'ref', action: x.action, render: 'text' });
    });
    return out;
  }

  /** The format action rendering a SQL step's result as a markdown table (one per SQL action, shared). */
  private markdownOf(step: string): ActionId {
    const sqlId = this.tables.get(step) ?? this.id(step);
    const id = `${sqlId}:md`;
    if (!this.actions.get(id)) {
      const f: FormatAction = { kind: 'format', id, step, input: this.input, deps: [sqlId], format: 'markdown_table', parts: [{ kind: 'ref', action: sqlId, render: 'table' }] };
      this.actions.push(f);
    }
    return id;
  }

  private imageRef(source: string, self: string, row: Instance | undefined, deps: Set<ActionId>): ActionId {
    const inst = this.instancesOf(source);
    const step = this.graph.steps.find((s) => s.name === self);
    const pick = step?.forEach === source && row ? row : inst.length === 1 ? inst[0] : undefined;
    if (!pick) {
      fail('B0602', `IMAGE source '${source}' of step '${self}' yields ${inst.length} images for input ${this.input + 1}; use FOR EACH ROW OF ${source} to look at each`, step?.span);
    }
    deps.add(pick.action);
    return pick.action;
  }

  /** DEBATE: round 1 is the participants' own actions; rounds 2..n call each again with the transcript so far. */
  private lowerDebate(step: DebateStep, base: { step: string; input: number; span?: Span }): void {
    const speakers = step.participants.map((p) => ({ name: p, action: this.instancesOf(p)[0]?.action }));
    let previous: ActionId[] = speakers.flatMap((s) => (s.action ? [s.action] : []));
    let transcript = this.transcript(step, 1, undefined, speakers.map((s, k) => ({ name: s.name, action: previous[k] ?? '' })), base);
    for (let r = 2; r <= step.rounds; r++) {
      const round: { name: string; action: ActionId }[] = [];
      for (const p of step.participants) {
        const own = this.actions.get(this.id(p));
        if (!own || own.kind !== 'llm') continue;
        const id = `${this.id(step.name)}@${r}.${p}`;
        const prompt: PromptSegment[] = [
          ...own.prompt,
          { kind: 'text', text: `\n\nDebate so far:\n` },
          { kind: 'ref', action: transcript, render: 'text' },
          { kind: 'text', text: `\n\nRound ${r} of ${step.rounds}: as ${p}, answer the other participants' latest arguments.` },
        ];
        this.actions.push({ ...own, id, ...base, round: r, speaker: p, deps: [...new Set([...own.deps, transcript])], prompt });
        round.push({ name: p, action: id });
      }
      previous = round.map((x) => x.action);
      transcript = this.transcript(step, r, transcript, round, base);
    }
    this.instances.set(step.name, [{ action: transcript }]);
  }

  private transcript(step: DebateStep, r: number, before: ActionId | undefined, round: readonly { name: string; action: ActionId }[], base: { step: string; input: number; span?: Span }): ActionId {
    const id = `${this.id(step.name)}:t${r}`;
    const parts: PromptSegment[] = before ? [{ kind: 'ref', action: before, render: 'text' }, { kind: 'text', text: '\n\n' }] : [];
    parts.push({ kind: 'text', text: `### Round ${r}` });
    for (const s of round) parts.push({ kind: 'text', text: `\n**${s.name}**: ` }, { kind: 'ref', action: s.action, render: 'text' });
    const deps = [...(before ? [before] : []), ...round.map((s) => s.action)];
    this.actions.push({ kind: 'format', id, ...base, round: r, deps, format: 'transcript', parts });
    return id;
  }
}
