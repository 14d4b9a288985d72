// What the job manager learns about a job when it is submitted, from its SQL: the priority a
// `run_workflow(..., priority => 'high')` asks for, and the affinity profile (ALGORITHMS.md §5): the
// models its last statement calls, the text of their system prompts and its model calls per input
// row (a workflow's model steps, debate rounds counted; one per model function). The script is
// parsed and its last statement bound against the catalog, nothing runs; a script that does not bind
// (an error the job will report when it runs, or a table an earlier statement creates) gets no profile.
import { bindQuery } from '../bind/bind-query.ts';
import type { CallSite } from '../ir/bound-query.ts';
import type { Session } from '../engine/session.ts';
import type { Template } from '../ir/common.ts';
import type { WorkflowGraph } from '../ir/workflow-graph.ts';
import type { SubmitRequest } from '../jobs/manager.ts';
import type { Priority } from '../ir/common.ts';
import { parseScript } from '../sql/parse.ts';

/** What submit-time binding found out. */
export interface JobTraits {
  /** The highest priority a run_workflow() of the statement names. */
  readonly priority?: Priority;
  readonly profile?: NonNullable<SubmitRequest['profile']>;
}

const RANK: Readonly<Record<Priority, number>> = { low: 0, medium: 1, high: 2 };

/** The traits of a job's script; {} when its last statement calls no model or cannot be bound. */
export async function jobTraits(session: Session, sql: string): Promise<JobTraits> {
  const parsed = parseScript({ name: 'job', text: sql });
  const last = parsed.script.statements.at(-1);
  if (parsed.diagnostics.length > 0 || last?.kind !== 'sql' || !last.query) return {};
  let sites: readonly CallSite[];
  try {
    sites = (await bindQuery(last, { catalog: session.catalog.snapshot, db: session.lakehouse.db })).sites;
  } catch {
    return {};
  }
  if (sites.length === 0) return {};
  let priority: Priority | undefined;
  const models = new Set<string>();
  const system: string[] = [];
  let calls = 0;
  for (const site of sites) {
    if (site.kind === 'workflow') {
      if (site.priority && (priority === undefined || RANK[site.priority] > RANK[priority])) priority = site.priority;
      const w = workflowTraits(site.graph);
      for (const m of w.models) models.add(m);
      system.push(...w.system);
      calls += w.calls;
    } else {
      models.add(site.model.name);
      if (site.system) system.push(site.system);
      calls += 1;
    }
  }
  return { ...(priority ? { priority } : {}), profile: { models: [...models].sort(), systemPrompt: system.join('\n'), callsPerInput: Math.max(1, calls) } };
}

/** A workflow's models, system prompt texts and model calls per input (debates: participants × rounds). */
function workflowTraits(graph: WorkflowGraph): { models: string[]; system: string[]; calls: number } {
  const models: string[] = [];
  const system: string[] = [];
  let calls = 0;
  for (const step of graph.steps) {
    if (step.kind === 'debate') {
      calls += step.participants.length * Math.max(0, step.rounds - 1);
      continue;
    }
    if (!('model' in step)) continue;
    models.push(step.model.name);
    if (step.system) system.push(textOf(step.system));
    calls += 1;
  }
  return { models, system, calls };
}

/** The literal text of a template (placeholders left out: they differ per input). */
function textOf(t: Template): string {
  return t.map((p) => (p.kind === 'text' ? p.text : ' ')).join('');
}
