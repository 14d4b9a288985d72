// `SET / RESET / SHOW agentlake.<name> [= | TO value]`: the one parser of agentlake's own settings
// statements, for the engine's session and the server's per-connection settings alike.
import type { Span } from '../diag/span.ts';

/** A settings statement, with offsets into the text it was parsed from. */
export interface SettingStatement {
  readonly op: 'set' | 'reset' | 'show';
  /** The setting's name after `agentlake.`, lower case. */
  readonly name: string;
  /** `agentlake.<name>` in the text. */
  readonly nameSpan: Span;
  /** SET's value: one pair of single quotes removed, lower case; '' when absent. */
  readonly value: string;
  /** The value as written (a one-character span after the name when absent). */
  readonly valueSpan: Span;
}

const SET = /^(\s*)(SET|RESET)(\s+(?:SESSION\s+|LOCAL\s+)?)(agentlake\.([A-Za-z_]+))\b(?:(\s*(?:=|\bTO\b)\s*)(.*?))?\s*;?\s*$/is;
const SHOW = /^(\s*)(SHOW)(\s+)(agentlake\.([A-Za-z_]+))\b(\s*)()\s*;?\s*$/is;

/** The settings statement `text` is, or undefined when it is none (any other SET is DuckDB's). */
export function parseSettingStatement(text: string): SettingStatement | undefined {
  const m = SET.exec(text) ?? SHOW.exec(text);
  if (!m) return undefined;
  const [, lead = '', verb = '', gap = '', full = '', name = '', sep = '', raw = ''] = m;
  const op = verb.toUpperCase() === 'SHOW' ? 'show' : verb.toUpperCase() === 'RESET' ? 'reset' : 'set';
  const nameStart = lead.length + verb.length + gap.length;
  const valueStart = nameStart + full.length + sep.length;
  return {
    op,
    name: name.toLowerCase(),
    nameSpan: { start: nameStart, end: nameStart + full.length },
    value: raw.replace(/^'(.*)'$/s, '$1').toLowerCase(),
    valueSpan: { start: valueStart, end: valueStart + Math.max(1, raw.length) },
  };
}
