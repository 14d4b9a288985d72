// House rules checker (scripts/house/check.ts) on small fixture trees: each rule found, clean trees pass.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHouse, checkSources, formatReport, type RuleId, type Violation } from '../../scripts/house/check.ts';
import { assertNever } from '../../src/diag/assert-never.ts';
import { InternalError } from '../../src/diag/diagnostic.ts';

const rules = (vs: readonly Violation[]): RuleId[] => vs.map((v) => v.rule);

/** A function spanning exactly `lines` lines (header and closing brace included). */
function fn(name: string, lines: number): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`);
  return [`export function ${name}(): void {`, ...body, '}'].join('\n');
}

describe('house rules: imports', () => {
  it('passes a clean tree of downward imports', () => {
    const vs = checkSources({
      'src/diag/d.ts': 'export const d = 1;\n',
      'src/sql/ast.ts': "import { d } from '../diag/d.ts';\nexport const a = d;\n",
      'src/bind/b.ts': "import { a } from '../sql/ast.ts';\nimport type { X } from './types.ts';\nexport const b: X = a;\n",
      'src/bind/types.ts': 'export type X = number;\n',
      'src/cli/main.ts': "import { b } from '../bind/b.ts';\nimport { readFileSync } from 'node:fs';\nexport const m = [b, readFileSync];\n",
    });
    expect(vs).toEqual([]);
  });

  it('finds a cycle once, with its files, type-only imports included', () => {
    const vs = checkSources({
      'src/bind/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'src/bind/b.ts': "import type { C } from './c.ts';\nexport const b: C = 1;\n",
      'src/bind/c.ts': "import { a } from './a.ts';\nexport type C = typeof a;\n",
      'src/bind/d.ts': "import { a } from './a.ts';\nexport const d = a;\n",
    });
    expect(rules(vs)).toEqual(['import-cycle']);
    expect(vs[0]!.files).toEqual(['src/bind/a.ts', 'src/bind/b.ts', 'src/bind/c.ts']);
    expect(vs[0]!.message).toContain('src/bind/a.ts -> src/bind/b.ts -> src/bind/c.ts -> src/bind/a.ts');
  });

  it('counts re-exports as imports and reports two separate cycles separately', () => {
    const vs = checkSources({
      'src/ir/a.ts': "export { b } from './b.ts';\nexport const a = 1;\n",
      'src/ir/b.ts': "import { a } from './a.ts';\nexport const b = a;\n",
      'src/ir/c.ts': "import { d } from './d.ts';\nexport const c = 1;\n",
      'src/ir/d.ts': "import { c } from './c.ts';\nexport const d = c;\n",
    });
    expect(vs.map((v) => v.files)).toEqual([
      ['src/ir/a.ts', 'src/ir/b.ts'],
      ['src/ir/c.ts', 'src/ir/d.ts'],
    ]);
  });

  it('finds an upward import and an import between folders of the same rank', () => {
    const vs = checkSources({
      'src/sql/ast.ts': "import { s } from '../storage/s.ts';\nexport const a = s;\n",
      'src/storage/s.ts': 'export const s = 1;\n',
      'src/bind/l.ts': "import type { A } from '../optimizer/x.ts';\nexport const l: A = 1;\n",
      'src/optimizer/x.ts': 'export type A = number;\n',
    });
    expect(rules(vs)).toEqual(['upward-import', 'upward-import']);
    expect(vs.map((v) => `${v.file}:${v.line}`)).toEqual(['src/bind/l.ts:1', 'src/sql/ast.ts:1']);
    expect(vs[0]!.message).toContain('the same rank');
    expect(vs[1]!.message).toContain("'sql' (rank 1) imports src/storage/s.ts from 'storage' (rank 3)");
  });

  it('reports the named forbidden edges besides the rank rule', () => {
    const vs = checkSources({
      'src/sim/m.ts': 'export const m = 1;\n',
      'src/bind/b.ts': 'export const b = 1;\n',
      'src/runtime/r.ts': "import { m } from '../sim/m.ts';\nimport { b } from '../bind/b.ts';\nexport const r = m + b;\n",
    });
    expect(vs.map((v) => `${v.rule} ${v.file}:${v.line}`)).toEqual([
      'upward-import src/runtime/r.ts:1',
      'forbidden-import src/runtime/r.ts:1',
      'forbidden-import src/runtime/r.ts:2',
    ]);
  });

  it('reports an unknown stage folder once, and files directly in src/', () => {
    const vs = checkSources({
      'src/misc/a.ts': 'export const a = 1;\n',
      'src/misc/deep/b.ts': "import { a } from '../a.ts';\nexport const b = a;\n",
      'src/index.ts': 'export const i = 1;\n',
    });
    expect(rules(vs)).toEqual(['unknown-stage', 'unknown-stage']);
    expect(vs.map((v) => v.files)).toEqual([['src/index.ts'], ['src/misc/a.ts', 'src/misc/deep/b.ts']]);
    expect(vs[1]!.message).toContain("unknown stage folder 'src/misc/'");
  });

  it('resolves .js specifiers and non-source targets without crashing', () => {
    const vs = checkSources({
      'src/sql/parse.ts': "import { parse } from './generated/parser.js';\nimport { d } from '../diag/d.js';\nexport const p = [parse, d];\n",
      'src/diag/d.ts': "import { p } from '../sql/parse.ts';\nexport const d = p;\n",
    });
    expect(rules(vs)).toEqual(['import-cycle', 'upward-import']);
  });
});

describe('house rules: sizes', () => {
  it('finds a 401-line file and passes a 400-line one', () => {
    const lines = (n: number): string => `${Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n')}\n`;
    expect(checkSources({ 'src/util/ok.ts': lines(400) })).toEqual([]);
    const vs = checkSources({ 'src/util/big.ts': lines(401) });
    expect(vs).toEqual([{ rule: 'file-length', file: 'src/util/big.ts', line: 1, message: '401 lines (at most 400)' }]);
  });

  it('finds a 101-line function and passes a 100-line one', () => {
    const vs = checkSources({ 'src/util/f.ts': `${fn('ok', 100)}\n\n${fn('tooLong', 101)}\n` });
    expect(vs).toEqual([{ rule: 'function-length', file: 'src/util/f.ts', line: 102, message: 'tooLong: 101 lines (at most 100)' }]);
  });

  it('names methods, arrows and anonymous functions, and counts nested ones separately', () => {
    const body = (n: number): string => Array.from({ length: n }, (_, i) => `    x += ${i};`).join('\n');
    const text = [
      'export class Planner {', // 1
      '  plan(): void {', // 2
      '    let x = 0;', // 3
      '    const inner = () => {', // 4
      body(100), // 5..104
      '    };', // 105
      '    [1].forEach(function () {', // 106
      body(99), // 107..205
      '    });', // 206
      '    inner();', // 207
      '  }', // 208
      '}', // 209
      'export const arrow = (): number => {', // 210
      '  let x = 0;', // 211
      body(98), // 212..309
      '  return x;', // 310
      '};', // 311
      '',
    ].join('\n');
    const vs = checkSources({ 'src/util/c.ts': text });
    expect(vs.map((v) => `${v.line} ${v.message}`)).toEqual([
      '2 Planner.plan: 207 lines (at most 100)',
      '4 inner: 102 lines (at most 100)',
      '106 <anonymous>: 101 lines (at most 100)',
      '210 arrow: 102 lines (at most 100)',
    ]);
  });
});

describe('house rules: switches and barrels', () => {
  const head = "import { assertNever } from '../diag/assert-never.ts';\ntype A = { kind: 'a' } | { kind: 'b' };\n";

  it('passes a switch on .kind whose default calls assertNever, and switches on other things', () => {
    const vs = checkSources({
      'src/ir/s.ts': `${head}export function f(a: A, k: string): number {
  switch (k) { case 'x': return 0; }
  switch (a.kind) {
    case 'a': return 1;
    case 'b': return 2;
    default: return assertNever(a, 'node');
  }
}
`,
    });
    expect(vs).toEqual([]);
  });

  it('finds a switch on .kind without a default, and one whose default does not call assertNever', () => {
    const vs = checkSources({
      'src/ir/s.ts': `${head}export function f(a: A): number {
  switch (a.kind) {
    case 'a': return 1;
    case 'b': return 2;
  }
  switch ((a).kind) {
    case 'a': return 1;
    default: return 3;
  }
}
export const g = (a: A) => { assertNever(a as never); };
`,
    });
    expect(vs.map((v) => `${v.rule} ${v.line} ${v.message}`)).toEqual([
      'switch-assert-never 4 switch (a.kind) has no default: clause calling assertNever(…)',
      'switch-assert-never 8 switch ((a).kind): its default: clause does not call assertNever(…)',
    ]);
  });

  it('finds export * barrels but not named re-exports', () => {
    const vs = checkSources({
      'src/util/a.ts': 'export const a = 1;\n',
      'src/util/index.ts': "export * from './a.ts';\nexport * as all from './a.ts';\nexport { a as b } from './a.ts';\n",
    });
    expect(vs.map((v) => `${v.rule} ${v.line}`)).toEqual(['barrel-export 1', 'barrel-export 2']);
  });
});

describe('house rules: on disk and report', () => {
  it('reads src/**/*.ts under a root, ignoring other files', () => {
    const root = mkdtempSync(join(tmpdir(), 'house-'));
    try {
      const write = (rel: string, text: string): void => {
        mkdirSync(dirname(join(root, rel)), { recursive: true });
        writeFileSync(join(root, rel), text);
      };
      write('src/diag/d.ts', 'export const d = 1;\n');
      write('src/sql/generated/parser.js', 'export const p = 1;\n');
      write('src/sql/README.md', '# sql\n');
      expect(checkHouse(root)).toEqual([]);
      write('src/diag/up.ts', "import { x } from '../sql/x.ts';\nexport const u = x;\n");
      write('src/sql/x.ts', "export * from '../diag/up.ts';\nexport const x = 1;\n");
      const vs = checkHouse(root);
      expect(rules(vs)).toEqual(['import-cycle', 'upward-import', 'barrel-export']);
      const report = formatReport(vs);
      expect(report).toContain('house rules: 3 violation(s)');
      expect(report).toContain('import cycles [import-cycle]: 1');
      expect(report).toContain('  src/diag/up.ts:1  ');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says so when there is nothing to report', () => {
    expect(formatReport([])).toBe('house rules: no violations\n');
  });
});

describe('assertNever', () => {
  it('throws an InternalError naming the unexpected kind', () => {
    const node = { kind: 'mystery' } as never;
    expect(() => assertNever(node, 'plan node')).toThrow(InternalError);
    expect(() => assertNever(node, 'plan node')).toThrow("unexpected plan node kind 'mystery'");
    expect(() => assertNever('odd' as never)).toThrow("unexpected kind 'odd'");
  });
});
