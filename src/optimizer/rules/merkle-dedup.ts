// merkle_dedup (ALGORITHMS.md §1): deterministic actions with equal Merkle signatures are computed
// once, across steps, inputs and call sites of the batch; merges cascade (an action whose inputs
// merged gets the same signature as its twin). Output actions equal to an earlier output are kept
// by dedupDag as aliases; here they are dropped too (nothing reads them) and served from their twin.
//   before: llm#0 "Summarize AAPL news"   llm#1 "Summarize AAPL news"   (inputs 0 and 1, same symbol)
//   after:  llm#0 "Summarize AAPL news"   (llm#1 → llm#0)
import { dedupDag } from '../signatures.ts';
import type { Rule } from './rule.ts';

export const merkleDedup: Rule = {
  name: 'merkle_dedup',
  apply(dag, ctx) {
    const r = dedupDag(dag);
    if (r.dag === dag && r.aliases.size === 0) return dag;
    for (const [id, kept] of r.canonical) if (id !== kept) ctx.alias(id, kept);
    if (r.aliases.size === 0) return r.dag;
    for (const [id, kept] of r.aliases) ctx.alias(id, kept);
    const dropped = new Set(r.aliases.keys());
    return {
      ...r.dag,
      actions: r.dag.actions.filter((a) => !dropped.has(a.id)),
      inputs: r.dag.inputs.map((s) => ({ ...s, outputs: s.outputs.map((o) => r.aliases.get(o) ?? o) })),
    };
  },
};
