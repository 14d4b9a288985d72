// Rendering: file:line:col, the source line, a caret as wide as the span (clipped to its line), notes and help.
import { describe, expect, it } from 'vitest';
import { diag } from '../../src/diag/diagnostic.ts';
import { renderDiagnostic } from '../../src/diag/render.ts';
import { lineCol } from '../../src/diag/span.ts';

const source = { name: 'q.sql', text: 'SELECT 1;\nSELECT vlm(\'qwen-vl-99\', image => key)\n  FROM charts' };

describe('render', () => {
  it('points at the span with line, column and caret', () => {
    const start = source.text.indexOf("'qwen-vl-99'");
    const out = renderDiagnostic(diag('B0102', "unknown model 'qwen-vl-99'", { start, end: start + 12 }, { help: "did you mean 'qwen_vl'?", notes: ['models: qwen_vl'] }), source);
    expect(out).toBe(
      [
        "error[B0102]: unknown model 'qwen-vl-99'",
        ' --> q.sql:2:12',
        '  |',
        "2 | SELECT vlm('qwen-vl-99', image => key)",
        '  |            ^^^^^^^^^^^^',
        '  = note: models: qwen_vl',
        "  = help: did you mean 'qwen_vl'?",
      ].join('\n'),
    );
  });

  it('clips a multi-line span to its first line and handles spanless diagnostics', () => {
    const start = source.text.indexOf('vlm');
    const out = renderDiagnostic(diag('E0001', 'x', { start, end: source.text.length }), source);
    expect(out.split('\n')[4]).toBe(`  | ${' '.repeat(7)}${'^'.repeat(31)}`);
    expect(renderDiagnostic(diag('P0003', 'empty'), source)).toBe('error[P0003]: empty\n --> q.sql');
  });

  it('computes 1-based line and column', () => {
    expect(lineCol('ab\ncd', 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol('ab\ncd', 4)).toEqual({ line: 2, col: 2 });
  });
});
