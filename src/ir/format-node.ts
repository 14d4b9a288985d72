// EXPLAIN fields of every IR node kind, as per-kind tables: a new kind fails to compile until it has
// a formatter. Values are short and deterministic (prompts abbreviated, references as {id}).
import type { Action, ActionKind, PromptSegment } from './action-dag.ts';
import type { StepKind, WorkflowStep } from './workflow-graph.ts';
import type { Template } from './common.ts';

export type Fields = Record<string, string | number | undefined>;

type ActionFormatters = { readonly [K in ActionKind]: (a: Extract<Action, { kind: K }>) => Fields };
type StepFormatters = { readonly [K in StepKind]: (s: Extract<WorkflowStep, { kind: K }>) => Fields };

const deps = (a: Action): string | undefined => (a.deps.length > 0 ? a.deps.join(',') : undefined);

export const ACTION_FORMAT: ActionFormatters = {
  sql: (a) => ({ id: a.id, deps: deps(a), rows: a.rows, sql: oneLine(a.sql) }),
  fetch: (a) => ({ id: a.id, deps: deps(a), key: a.key }),
  format: (a) => ({ id: a.id, deps: deps(a), format: a.format }),
  llm: (a) => ({ id: a.id, deps: deps(a), model: a.model.name, round: a.round, system: sketch(a.system) || undefined, prompt: sketch(a.prompt) }),
  vlm: (a) => ({ id: a.id, deps: deps(a), model: a.model.name, image: a.image.kind === 'object' ? a.image.key : `{${a.image.action}}`, prompt: sketch(a.prompt) }),
  vlm_encode: (a) => ({ id: a.id, deps: deps(a), model: a.model.name, image: a.image.kind === 'object' ? a.image.key : `{${a.image.action}}` }),
  vlm_reason: (a) => ({ id: a.id, deps: deps(a), model: a.model.name, encoded: a.encoded, prompt: sketch(a.prompt) }),
  embed: (a) => ({ id: a.id, deps: deps(a), model: a.model.name, input: sketch(a.prompt) }),
  image: (a) => ({ id: a.id, deps: deps(a), model: a.model.name, prompt: sketch(a.prompt) }),
};

export const STEP_FORMAT: StepFormatters = {
  sql: (s) => ({ name: s.name, sql: oneLine(s.sql) }),
  fetch: (s) => ({ name: s.name, for_each: s.forEach, target: templateText(s.target) }),
  llm: (s) => ({ name: s.name, model: s.model.name, for_each: s.forEach, returns: s.returns?.columns.map((c) => `${c.name} ${c.type}`).join(', '), prompt: abbreviate(templateText(s.prompt)) }),
  vlm: (s) => ({ name: s.name, model: s.model.name, for_each: s.forEach, image: s.image.kind === 'step' ? `{{${s.image.step}}}` : templateText(s.image.key), prompt: abbreviate(templateText(s.prompt)) }),
  embed: (s) => ({ name: s.name, model: s.model.name, for_each: s.forEach, input: abbreviate(templateText(s.prompt)) }),
  image: (s) => ({ name: s.name, model: s.model.name, for_each: s.forEach, prompt: abbreviate(templateText(s.prompt)) }),
  debate: (s) => ({ name: s.name, participants: s.participants.join(','), rounds: s.rounds }),
};

/** EXPLAIN fields of an action. */
export function actionFields(a: Action): Fields {
  return (ACTION_FORMAT[a.kind] as (x: Action) => Fields)(a);
}

/** EXPLAIN fields of a workflow step. */
export function stepFields(s: WorkflowStep): Fields {
  return (STEP_FORMAT[s.kind] as (x: WorkflowStep) => Fields)(s);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function abbreviate(s: string): string {
  const flat = oneLine(s);
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

/** A template as the user wrote it, placeholders back in {{ }}. */
export function templateText(t: Template): string {
  return t.map((p) => (p.kind === 'text' ? p.text : `{{${p.name}}}`)).join('');
}

/** A short picture of an instantiated prompt: text abbreviated, references as {id}. */
export function sketch(segs: readonly PromptSegment[]): string {
  return abbreviate(segs.map((x) => (x.kind === 'text' ? x.text : x.kind === 'value' ? x.value : `{${x.action}${x.column ? `.${x.column}` : ''}}`)).join(''));
}
