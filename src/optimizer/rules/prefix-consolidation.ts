// prefix_consolidation: every prompt's static text and bound values become one text segment per
// run between references, so a prompt is planned as the string the server receives. The plan's
// token estimates (estimate.ts) then tokenize each run whole, as the server does, and calls whose
// rendered prompts start alike share estimated prefixes exactly where their KV caches will: a
// template's text split around `{{symbol}}` no longer counts as different tokens at the seams.
// The rendered text is byte-identical (segments render by concatenation), so outputs are the same;
// moving shared context ahead of per-input text would change the prompt, so this rule never reorders.
//   before: llm#4 ["Ticker: ", {symbol=AAPL}, "\nNews:\n", {sql#2 as table}]
//   after:  llm#4 ["Ticker: AAPL\nNews:\n", {sql#2 as table}]
import type { Action, PromptSegment } from '../../ir/action-dag.ts';
import type { Rule } from './rule.ts';
import { assertNever } from '../../diag/assert-never.ts';

export const prefixConsolidation: Rule = {
  name: 'prefix_consolidation',
  apply(dag) {
    let changed = false;
    const actions = dag.actions.map((a) => {
      const b = consolidated(a);
      if (b !== a) changed = true;
      return b;
    });
    return changed ? { ...dag, actions } : dag;
  },
};

function consolidated(a: Action): Action {
  switch (a.kind) {
    case 'format': {
      const parts = runs(a.parts);
      return parts === a.parts ? a : { ...a, parts };
    }
    case 'llm':
    case 'vlm':
    case 'vlm_reason':
    case 'embed':
    case 'image': {
      const system = runs(a.system);
      const prompt = runs(a.prompt);
      return system === a.system && prompt === a.prompt ? a : { ...a, system, prompt };
    }
    case 'sql':
    case 'fetch':
    case 'vlm_encode':
      return a;
    default:
      return assertNever(a, 'action');
  }
}

/** Adjacent text and value segments joined into one text segment; `segs` itself when none are. */
function runs(segs: readonly PromptSegment[]): readonly PromptSegment[] {
  const literal = (s: PromptSegment | undefined): boolean => s !== undefined && s.kind !== 'ref';
  let adjacent = false;
  for (let i = 1; i < segs.length && !adjacent; i++) adjacent = literal(segs[i - 1]) && literal(segs[i]);
  const empty = segs.some((s) => s.kind === 'text' && s.text === '');
  if (!adjacent && !empty && !segs.some((s) => s.kind === 'value')) return segs;
  const out: PromptSegment[] = [];
  let text = '';
  for (const s of segs) {
    if (s.kind === 'ref') {
      if (text !== '') out.push({ kind: 'text', text });
      text = '';
      out.push(s);
    } else text += s.kind === 'text' ? s.text : s.value;
  }
  if (text !== '') out.push({ kind: 'text', text });
  return out;
}
