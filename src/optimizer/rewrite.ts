// The rewrite driver: applies the rules of rules/index.ts in order, repeatedly, until none changes
// the DAG; checks the invariants after every rule (ids unique, every reference and dependency
// precedes its reader, input outputs exist, no model appears that was not there before) and keeps a
// trace for EXPLAIN VERBOSE (each entry keeps the DAG the rule returned: rules build new immutable
// DAGs, so a reference costs nothing and is never copied). Pure: no I/O, no clock.
import { InternalError } from '../diag/diagnostic.ts';
import { isModelCall, type Action, type ActionDag, type ActionId } from '../ir/action-dag.ts';
import { RULES } from './rules/index.ts';
import type { Rule } from './rules/rule.ts';

/** One rule application that changed the DAG. */
export interface TraceEntry {
  readonly rule: string;
  readonly round: number;
  readonly actionsBefore: number;
  readonly actionsAfter: number;
  readonly callsBefore: number;
  readonly callsAfter: number;
  /** The DAG as it stood after this rule (the rule's own result, shared, not a copy). */
  readonly dag: ActionDag;
}

export interface Rewritten {
  readonly dag: ActionDag;
  /** Removed action → the kept action that computes its output (resolved: never another removed one). */
  readonly aliases: ReadonlyMap<ActionId, ActionId>;
  /** Removed action → a kept action whose prompt now renders it (resolved like aliases). */
  readonly absorbed: ReadonlyMap<ActionId, ActionId>;
  readonly trace: readonly TraceEntry[];
}

const MAX_ROUNDS = 4;

/** Rewrites `dag` with `rules` (default: all of them) to a fixpoint. */
export function rewriteDag(dag: ActionDag, rules: readonly Rule[] = RULES): Rewritten {
  const aliases = new Map<ActionId, ActionId>();
  const absorbed = new Map<ActionId, ActionId>();
  const trace: TraceEntry[] = [];
  const models = new Set(dag.actions.flatMap((a) => ('model' in a ? [a.model.name] : [])));
  let current = dag;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    let changed = false;
    for (const rule of rules) {
      const next = rule.apply(current, { alias: (removed, kept) => void aliases.set(removed, kept), absorb: (removed, into) => void absorbed.set(removed, into) });
      if (next === current) continue;
      checkInvariants(next, models, rule.name);
      trace.push({ rule: rule.name, round, actionsBefore: current.actions.length, actionsAfter: next.actions.length, callsBefore: calls(current), callsAfter: calls(next), dag: next });
      current = next;
      changed = true;
    }
    if (!changed) break;
  }
  // Chains of aliases (a removed action kept by one that a later rule removed) end at a kept action.
  const kept = new Set(current.actions.map((a) => a.id));
  const resolve = (id: ActionId): ActionId => {
    let x = id;
    for (let i = 0; i < aliases.size + absorbed.size + 1 && !kept.has(x); i++) x = aliases.get(x) ?? absorbed.get(x) ?? x;
    return x;
  };
  const resolvedAliases = new Map<ActionId, ActionId>();
  for (const id of aliases.keys()) if (!kept.has(id)) resolvedAliases.set(id, resolve(id));
  const resolvedAbsorbed = new Map<ActionId, ActionId>();
  for (const [id, into] of absorbed) if (!kept.has(id) && !aliases.has(id)) resolvedAbsorbed.set(id, resolve(into));
  return { dag: current, aliases: resolvedAliases, absorbed: resolvedAbsorbed, trace };
}

function calls(dag: ActionDag): number {
  return dag.actions.filter(isModelCall).length;
}

function refsOf(a: Action): ActionId[] {
  const segs = a.kind === 'format' ? a.parts : 'prompt' in a ? [...a.system, ...a.prompt] : [];
  const out = segs.flatMap((s) => (s.kind === 'ref' ? [s.action] : []));
  if ((a.kind === 'vlm' || a.kind === 'vlm_encode') && a.image.kind === 'ref') out.push(a.image.action);
  if (a.kind === 'vlm_reason') out.push(a.encoded);
  return out;
}

function checkInvariants(dag: ActionDag, models: ReadonlySet<string>, rule: string): void {
  const seen = new Set<ActionId>();
  for (const a of dag.actions) {
    if (seen.has(a.id)) throw new InternalError(`rule ${rule}: duplicate action '${a.id}'`);
    for (const d of a.deps) if (!seen.has(d)) throw new InternalError(`rule ${rule}: '${a.id}' depends on '${d}', which does not precede it`);
    for (const r of refsOf(a)) if (!a.deps.includes(r)) throw new InternalError(`rule ${rule}: '${a.id}' reads '${r}' without depending on it`);
    if ('model' in a && !models.has(a.model.name)) throw new InternalError(`rule ${rule}: '${a.id}' uses model '${a.model.name}', not in the batch before`);
    seen.add(a.id);
  }
  for (const s of dag.inputs) for (const o of s.outputs) if (!seen.has(o)) throw new InternalError(`rule ${rule}: input ${s.index}'s output '${o}' is gone`);
}
