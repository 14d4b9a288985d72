// Renders an action's prompt segments into the exact text sent to a model: static text, bound values,
// and the outputs of the actions it depends on (tables as markdown, model outputs as text).
import type { ActionId, PromptSegment } from '../ir/action-dag.ts';
import { markdownTable } from '../ir/markdown.ts';
import { outputKind, outputText, tableOf, type ActionOutput } from './action-output.ts';

/** The text of a list of segments, given the outputs computed so far. */
export function renderSegments(segs: readonly PromptSegment[], outputs: ReadonlyMap<ActionId, ActionOutput>): string {
  let s = '';
  for (const seg of segs) {
    if (seg.kind === 'text') s += seg.text;
    else if (seg.kind === 'value') s += seg.value;
    else {
      const o = outputs.get(seg.action);
      if (seg.render === 'table' && o && outputKind(o) === 'table') {
        const t = tableOf(o);
        s += markdownTable(t.columns.map((c) => c.name), t.rows);
      } else s += outputText(o, seg.column);
    }
  }
  return s;
}
