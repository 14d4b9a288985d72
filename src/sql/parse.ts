// Parses an agentlake script with the generated peggy parser: split at top-level semicolons (the
// one splitter, sql-text.ts, which pgwire and the job service use too), then
// parse each statement on its own so one bad statement does not hide errors in the others, and
// re-parse each step of a bad CREATE WORKFLOW so every bad step is reported at once.
import { parse as peggyParse, SyntaxError as PeggySyntaxError, type PeggyExpectation } from './generated/parser.js';
import type { ReturnColumn, Script, Statement } from './ast.ts';
import { diag, InternalError, type Diagnostic } from '../diag/diagnostic.ts';
import type { Source, Span } from '../diag/span.ts';
import { suggest } from '../diag/suggest.ts';
import { skipAtom, splitStatements, topLevelParts } from './sql-text.ts';

/** A parse result: the statements that parsed, and a diagnostic for each that did not. */
export interface ParseResult {
  readonly script: Script;
  readonly diagnostics: readonly Diagnostic[];
}

interface Chunk {
  readonly text: string;
  readonly start: number;
}

/** Parses a whole script. Never throws for bad input: problems come back as diagnostics. */
export function parseScript(source: Source): ParseResult {
  const chunks: readonly Chunk[] = splitStatements(source.text);
  const statements: Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const chunk of chunks) {
    try {
      statements.push(callParser(chunk.text, 'Statement', chunk.start) as Statement);
    } catch (e) {
      if (!(e instanceof PeggySyntaxError)) throw e;
      const first = toDiagnostic(e, chunk);
      // Step-by-step recovery finds errors after the first one; at the same place the statement-level
      // message is the better one (it knows the list context).
      const more = recoverWorkflowSteps(chunk).filter((d) => d.span?.start !== first.span?.start);
      diagnostics.push(first, ...more);
    }
  }
  return { script: { statements }, diagnostics };
}

/** Parses a RETURNS column list given as text (e.g. `returns => 'label VARCHAR, score DOUBLE'`) written at `offset`. */
export function parseReturnsText(text: string, offset: number): { columns?: readonly ReturnColumn[]; diagnostics: readonly Diagnostic[] } {
  try {
    return { columns: callParser(text, 'ReturnsText', offset) as ReturnColumn[], diagnostics: [] };
  } catch (e) {
    if (!(e instanceof PeggySyntaxError)) throw e;
    return { diagnostics: [toDiagnostic(e, { text, start: offset })] };
  }
}

function callParser(text: string, startRule: 'Statement' | 'SingleStep' | 'ReturnsText', offset: number): unknown {
  try {
    return peggyParse(text, { startRule, offset });
  } catch (e) {
    if (e instanceof PeggySyntaxError) throw e;
    throw new InternalError(`parser failed: ${String(e)}`, { cause: e });
  }
}

/** For a CREATE WORKFLOW that failed, parses each step alone and returns the errors of the bad ones. */
function recoverWorkflowSteps(chunk: Chunk): Diagnostic[] {
  if (!/^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*create\s+(?:or\s+replace\s+)?workflow\b/i.test(chunk.text)) return [];
  const asMatch = /\)\s*as\s*\(/i.exec(chunk.text);
  if (!asMatch) return [];
  const open = asMatch.index + asMatch[0].length - 1;
  const parts = topLevelParts(chunk.text, open);
  if (!parts) return [];
  const out: Diagnostic[] = [];
  for (const part of parts) {
    if (part.text.trim() === '') continue;
    try {
      callParser(part.text, 'SingleStep', chunk.start + part.start);
    } catch (e) {
      if (!(e instanceof PeggySyntaxError)) throw e;
      out.push(toDiagnostic(e, { text: part.text, start: chunk.start + part.start }));
    }
  }
  return out;
}

/** Turns a peggy error into a coded diagnostic at the offending token. */
function toDiagnostic(e: PeggySyntaxError, chunk: Chunk): Diagnostic {
  const local = e.location.start.offset;
  const custom = /^(P\d{4})\|([\s\S]*)$/.exec(e.message);
  if (custom) {
    const span: Span = { start: chunk.start + local, end: chunk.start + Math.max(e.location.end.offset, local + 1) };
    return diag(custom[1] ?? 'P0001', custom[2] ?? '', span);
  }
  const found = tokenAt(chunk.text, local);
  const span: Span = { start: chunk.start + local, end: chunk.start + local + Math.max(1, found.length) };
  if ((found === "'" || found === '"') && chunk.text.indexOf(found, local + 1) < 0) {
    return diag('P0002', found === "'" ? 'unterminated string literal' : 'unterminated quoted identifier', span, {
      help: `close it with a matching ${found}`,
    });
  }
  const expected = describeExpected(e.expected ?? []);
  const foundText = found === '' ? 'end of statement' : `'${found}'`;
  const keywords = (e.expected ?? []).filter((x) => x.type === 'literal' && /^[a-z]+$/i.test(x.text ?? '')).map((x) => (x.text ?? '').toUpperCase());
  const near = /^[A-Za-z_]\w*$/.test(found) ? suggest(found.toUpperCase(), keywords) : undefined;
  const expectsComma = (e.expected ?? []).some((x) => x.type === 'literal' && x.text === ',');
  const help = near
    ? `did you mean '${near}'?`
    : expectsComma && /^\s*:=/.test(chunk.text.slice(local + found.length))
      ? `is a ',' missing before step '${found}'?`
      : undefined;
  const unclosed = unclosedStringBefore(chunk.text, local);
  const notes = unclosed === undefined ? [] : [`the string that opens ${unclosed} line${unclosed === 1 ? '' : 's'} above ends here; is its closing quote missing?`];
  return diag('P0001', `syntax error: expected ${expected}, found ${foundText}`, span, { help, notes });
}

/**
 * When the error sits right after a string literal that spans lines, that string probably lost its
 * closing quote and swallowed text up to the next quote. Returns how many lines it spans.
 */
function unclosedStringBefore(text: string, offset: number): number | undefined {
  let last: { start: number; end: number } | undefined;
  for (let i = 0; i < offset; i++) {
    const end = skipAtom(text, i);
    if (end > i) {
      if (text[i] === "'") last = { start: i, end };
      i = end - 1;
    }
  }
  if (!last || last.end > offset || /\S/.test(text.slice(last.end, offset).replace(/^\s*[A-Za-z_]\w*/, ''))) return undefined;
  const lines = text.slice(last.start, last.end).split('\n').length - 1;
  return lines > 0 ? lines : undefined;
}

function tokenAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|:=|\S)/.exec(rest);
  return m ? m[0] : '';
}

function describeExpected(expected: readonly PeggyExpectation[]): string {
  const names = new Set<string>();
  for (const x of expected) {
    if (x.type === 'literal') names.add(/^[a-z]+$/i.test(x.text ?? '') ? (x.text ?? '').toUpperCase() : `'${x.text ?? ''}'`);
    else if (x.type === 'other' && x.description && x.description !== 'whitespace') names.add(x.description);
    else if (x.type === 'end') names.add('end of statement');
  }
  const list = [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (list.length === 0) return 'something else';
  if (list.length === 1) return list[0] ?? '';
  const shown = list.slice(0, 8);
  const more = list.length > shown.length ? ', ...' : '';
  return `one of ${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1] ?? ''}${more}`;
}

/** Punctuation first, then words, so the most useful expectation leads. */
function rank(s: string): number {
  return s.startsWith("'") ? 0 : s === 'end of statement' ? 2 : 1;
}

