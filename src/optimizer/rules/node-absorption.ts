// node_absorption: a format action (a markdown table, a debate transcript) folds into the actions
// that read it: their prompts take the format's parts in place of the reference, and its
// dependencies in place of it, so no CPU hop sits between a GPU call and its inputs. The text sent
// is the same (a format's output is exactly its rendered parts). Formats that are some input's
// output stay.
//   before: sql#3 → format#3 (markdown_table of sql#3) → llm#3 "Fundamentals:\n{format#3}"
//   after:  sql#3 → llm#3 "Fundamentals:\n{sql#3 as table}"
import type { Action, ActionId, FormatAction, PromptSegment } from '../../ir/action-dag.ts';
import type { Rule } from './rule.ts';
import { assertNever } from '../../diag/assert-never.ts';

export const nodeAbsorption: Rule = {
  name: 'node_absorption',
  apply(dag, ctx) {
    const outputs = new Set(dag.inputs.flatMap((s) => s.outputs));
    const formats = new Map<ActionId, FormatAction>();
    for (const a of dag.actions) if (a.kind === 'format' && !outputs.has(a.id)) formats.set(a.id, a);
    if (formats.size === 0) return dag;
    // Formats are absorbed in DAG order, so a format read by another format is already inlined.
    const inlined = new Map<ActionId, { parts: readonly PromptSegment[]; deps: readonly ActionId[] }>();
    const expand = (segs: readonly PromptSegment[]): PromptSegment[] => segs.flatMap((s) => (s.kind === 'ref' && inlined.has(s.action) ? [...(inlined.get(s.action)?.parts ?? [])] : [s]));
    const deps = (ds: readonly ActionId[]): ActionId[] => [...new Set(ds.flatMap((d) => (inlined.has(d) ? [...(inlined.get(d)?.deps ?? [])] : [d])))];
    const actions: Action[] = [];
    for (const a of dag.actions) {
      if (formats.has(a.id) && a.kind === 'format') {
        inlined.set(a.id, { parts: expand(a.parts), deps: deps(a.deps) });
        continue;
      }
      if (!a.deps.some((d) => inlined.has(d))) {
        actions.push(a);
        continue;
      }
      const base = { ...a, deps: deps(a.deps) };
      switch (base.kind) {
        case 'format':
          actions.push({ ...base, parts: expand(base.parts) });
          break;
        case 'llm':
        case 'vlm':
        case 'vlm_reason':
        case 'embed':
        case 'image':
          actions.push({ ...base, system: expand(base.system), prompt: expand(base.prompt) });
          break;
        case 'sql':
        case 'fetch':
        case 'vlm_encode':
          actions.push(base);
          break;
        default:
          assertNever(base, 'action');
      }
    }
    // A format read in a way absorption cannot express (an image input) is kept.
    const stillRead = new Set<ActionId>();
    for (const a of actions) {
      if (a.kind === 'vlm' && a.image.kind === 'ref') stillRead.add(a.image.action);
      if (a.kind === 'vlm_encode' && a.image.kind === 'ref') stillRead.add(a.image.action);
    }
    if (stillRead.size > 0) return dag;
    // Each absorbed format is recorded against the first action that now renders it.
    const readers = new Map<ActionId, { kept?: ActionId; any?: ActionId }>();
    for (const b of dag.actions) {
      for (const d of b.deps) {
        if (!inlined.has(d)) continue;
        const r = readers.get(d) ?? {};
        if (r.any === undefined) r.any = b.id;
        if (r.kept === undefined && !inlined.has(b.id)) r.kept = b.id;
        readers.set(d, r);
      }
    }
    for (const [id, r] of readers) {
      const reader = r.kept ?? r.any;
      if (reader !== undefined) ctx.absorb(id, reader);
    }
    return { ...dag, actions };
  },
};
