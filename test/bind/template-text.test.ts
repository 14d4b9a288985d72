// parseTemplateText: prompt literals split into text and {{name}} slots whose spans point at the
// placeholder in the script; escapes (\n, \t, \\, '') apply to single-quoted literals only; bad or
// unclosed placeholders are P012x diagnostics and stay as text.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diag/diagnostic.ts';
import { parseTemplateText, type RawPart } from '../../src/bind/template-text.ts';
import type { StringLit } from '../../src/sql/ast.ts';

/** A literal as the parser would make it for `'<raw>'` starting at `at` in a script. */
function lit(raw: string, quote: 'single' | 'dollar' = 'single', at = 10): StringLit {
  const open = quote === 'single' ? 1 : 2;
  return { kind: 'string', value: raw, raw, rawStart: at + open, quote, span: { start: at, end: at + raw.length + 2 * open } };
}

function parse(l: StringLit): { parts: RawPart[]; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  return { parts: parseTemplateText(l, diags), diags };
}

describe('parseTemplateText', () => {
  it('splits text and placeholders; names are trimmed and lower-cased; spans cover {{...}} in the script', () => {
    const script = `SELECT 1; 'Hello {{ Name }}, see {{doc_2}}.'`;
    const at = script.indexOf("'");
    const raw = script.slice(at + 1, -1);
    const { parts, diags } = parse(lit(raw, 'single', at));
    expect(diags).toEqual([]);
    expect(parts.map((p) => (p.kind === 'text' ? p.text : `<${p.name}>`))).toEqual(['Hello ', '<name>', ', see ', '<doc_2>', '.']);
    const slots = parts.filter((p): p is Extract<RawPart, { kind: 'slot' }> => p.kind === 'slot');
    expect(slots.map((s) => script.slice(s.span.start, s.span.end))).toEqual(['{{ Name }}', '{{doc_2}}']);
  });

  it('a literal without placeholders is one text part; an empty one has no parts', () => {
    expect(parse(lit('just text')).parts).toEqual([{ kind: 'text', text: 'just text' }]);
    expect(parse(lit('')).parts).toEqual([]);
  });

  it("decodes \\n, \\t, \\\\ and '' in single-quoted literals, keeps other backslashes", () => {
    const { parts } = parse(lit("a\\nb\\tc\\\\d''e\\qf"));
    expect(parts).toEqual([{ kind: 'text', text: "a\nb\tc\\d'e\\qf" }]);
  });

  it('takes dollar-quoted literals verbatim', () => {
    const { parts } = parse(lit("a\\nb''c {{x}}", 'dollar'));
    expect(parts).toEqual([{ kind: 'text', text: "a\\nb''c " }, { kind: 'slot', name: 'x', span: expect.anything() as unknown }]);
  });

  it('a bad placeholder is P0120 at the placeholder and stays as text', () => {
    const l = lit('x {{1abc}} y {{ok}}');
    const { parts, diags } = parse(l);
    expect(diags.map((d) => d.code)).toEqual(['P0120']);
    const span = diags[0]?.span;
    expect(span && l.raw.slice(span.start - l.rawStart, span.end - l.rawStart)).toBe('{{1abc}}');
    expect(parts.map((p) => (p.kind === 'text' ? p.text : `<${p.name}>`))).toEqual(['x {{1abc}} y ', '<ok>']);
  });

  it('an unclosed placeholder is P0121 at the {{ and the rest stays text', () => {
    const l = lit('a {{b and more');
    const { parts, diags } = parse(l);
    expect(diags.map((d) => d.code)).toEqual(['P0121']);
    expect(diags[0]?.span).toEqual({ start: l.rawStart + 2, end: l.rawStart + 4 });
    expect(parts).toEqual([{ kind: 'text', text: 'a {{b and more' }]);
  });

  it('single braces are text', () => {
    expect(parse(lit('{"a": {b}}')).parts).toEqual([{ kind: 'text', text: '{"a": {b}}' }]);
  });
});
