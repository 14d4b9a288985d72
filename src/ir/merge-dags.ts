// Several call sites of one statement run as one batch: each site's ActionDag gets its action ids
// prefixed (every reference renamed with them), and the DAGs are concatenated, which keeps a
// topological order. One DAG per statement lets one plan order all of its calls.
import type { Action, ActionDag, ActionId, ActionOrigin, ImageInput, PromptSegment } from './action-dag.ts';
import { assertNever } from '../diag/assert-never.ts';

/** `dag` with every action id (and every reference to one) prefixed by `prefix`. */
export function prefixActionIds(dag: ActionDag, prefix: string): ActionDag {
  const id = (x: ActionId): ActionId => `${prefix}${x}`;
  const segs = (list: readonly PromptSegment[]): PromptSegment[] => list.map((s) => (s.kind === 'ref' ? { ...s, action: id(s.action) } : s));
  const image = (i: ImageInput): ImageInput => (i.kind === 'ref' ? { ...i, action: id(i.action) } : i);
  const rename = (a: Action): Action => {
    const base = { id: id(a.id), deps: a.deps.map(id) };
    switch (a.kind) {
      case 'sql':
      case 'fetch':
        return { ...a, ...base };
      case 'format':
        return { ...a, ...base, parts: segs(a.parts) };
      case 'llm':
      case 'embed':
      case 'image':
        return { ...a, ...base, system: segs(a.system), prompt: segs(a.prompt) };
      case 'vlm':
        return { ...a, ...base, system: segs(a.system), prompt: segs(a.prompt), image: image(a.image) };
      case 'vlm_encode':
        return { ...a, ...base, image: image(a.image) };
      case 'vlm_reason':
        return { ...a, ...base, system: segs(a.system), prompt: segs(a.prompt), encoded: id(a.encoded) };
      default:
        return assertNever(a, 'action');
    }
  };
  return { ...dag, actions: dag.actions.map(rename), inputs: dag.inputs.map((s) => ({ ...s, outputs: s.outputs.map(id) })) };
}

/** One DAG holding all of `dags`' actions (their ids must already be distinct) and their input slices. */
export function concatDags(source: string, dags: readonly ActionDag[]): ActionDag {
  const actions = dags.flatMap((d) => d.actions);
  const ids = new Set(actions.map((a) => a.id));
  if (ids.size !== actions.length) throw new Error('concatDags: action ids collide; prefix them first');
  return { kind: 'action_dag', source, inputs: dags.flatMap((d) => d.inputs), actions };
}

/** `dag` with every action's origin updated by `patch` (absent fields of an origin count as 0). */
export function withOrigin(dag: ActionDag, patch: Partial<ActionOrigin>): ActionDag {
  return { ...dag, actions: dag.actions.map((a) => ({ ...a, origin: { statement: a.origin?.statement ?? 0, site: a.origin?.site ?? 0, ...patch } })) };
}
