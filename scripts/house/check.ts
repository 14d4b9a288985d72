// House rules for the shape of src/: one folder per pipeline stage, imports only downward.
// Every src/**/*.ts file is parsed with ts.createSourceFile (syntax only, no type-checking) and checked for:
//   import-cycle         no cycles between source files (static imports, `import type` and `export … from` included);
//                        each strongly connected component is reported once with its files
//   unknown-stage        every file lies in a stage folder listed in STAGE_RANKS (scripts/house/rules.ts)
//   upward-import        a file imports only from its own stage folder or from folders of strictly lower rank
//   forbidden-import     the named edges of FORBIDDEN_IMPORTS, reported whatever the ranks say
//   file-length          no file over MAX_FILE_LINES lines
//   function-length      no function over MAX_FUNCTION_LINES lines, from its first line to its last (nested ones
//                        counted separately, and inside their parent's length)
//   switch-assert-never  a `switch (x.kind)` has a `default:` that calls assertNever(…) (src/diag/assert-never.ts)
//   barrel-export        no `export * from` (nor `export * as ns from`)
// Run: npx tsx scripts/check-house.ts [--json]   (exit 1 when anything is found). Tables: scripts/house/rules.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { FORBIDDEN_IMPORTS, MAX_FILE_LINES, MAX_FUNCTION_LINES, STAGE_RANKS } from './rules.ts';

export type RuleId =
  | 'import-cycle'
  | 'unknown-stage'
  | 'upward-import'
  | 'forbidden-import'
  | 'file-length'
  | 'function-length'
  | 'switch-assert-never'
  | 'barrel-export';

/** Rules in the order they are reported, with a heading each. */
export const RULES: readonly { readonly id: RuleId; readonly title: string }[] = [
  { id: 'import-cycle', title: 'import cycles' },
  { id: 'unknown-stage', title: 'unknown stage folders' },
  { id: 'upward-import', title: 'upward imports between stage folders' },
  { id: 'forbidden-import', title: 'forbidden imports' },
  { id: 'file-length', title: `files over ${MAX_FILE_LINES} lines` },
  { id: 'function-length', title: `functions over ${MAX_FUNCTION_LINES} lines` },
  { id: 'switch-assert-never', title: 'switches on .kind without a default calling assertNever' },
  { id: 'barrel-export', title: 'barrel re-exports (export * from)' },
];

export interface Violation {
  readonly rule: RuleId;
  /** Path relative to the root, with forward slashes (src/…). */
  readonly file: string;
  /** 1-based line of the offending construct. */
  readonly line: number;
  readonly message: string;
  /** For import-cycle and unknown-stage: every file involved. */
  readonly files?: readonly string[];
}

/** Checks the tree under `root` (the folder holding src/). */
export function checkHouse(root: string): Violation[] {
  const sources = new Map<string, string>();
  for (const file of listTs(join(root, 'src'), 'src')) sources.set(file, readFileSync(join(root, file), 'utf8'));
  return checkSources(sources);
}

/** Checks in-memory sources: keys are paths like `src/bind/x.ts`, values their text. */
export function checkSources(input: ReadonlyMap<string, string> | Readonly<Record<string, string>>): Violation[] {
  const sources = input instanceof Map ? (input as ReadonlyMap<string, string>) : new Map(Object.entries(input));
  const files = [...sources.keys()].filter((f) => f.endsWith('.ts')).sort();
  const known = new Set(files);
  const out: Violation[] = [];
  const graph = new Map<string, { target: string; line: number }[]>();
  for (const file of files) {
    const text = sources.get(file) ?? '';
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const imports = collectImports(sf, file, known);
    graph.set(file, imports.filter((i) => known.has(i.target)));
    checkStages(file, imports, out);
    checkFileLength(file, text, out);
    walkBody(sf, file, out);
  }
  checkUnknownStages(files, out);
  checkCycles(graph, out);
  const order = new Map(RULES.map((r, i) => [r.id, i]));
  return out.sort((a, b) => (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0) || cmp(a.file, b.file) || a.line - b.line);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listTs(dir: string, rel: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${rel}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listTs(join(dir, entry.name), path));
    else if (entry.isFile() && entry.name.endsWith('.ts')) found.push(path);
  }
  return found;
}

// ---- imports -------------------------------------------------------------------------------

interface Import {
  /** Resolved path relative to the root (may name a file that is not a known .ts source, e.g. parser.js). */
  readonly target: string;
  readonly specifier: string;
  readonly line: number;
}

function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

/** Static relative imports and re-exports of a file, resolved against the known sources. */
function collectImports(sf: ts.SourceFile, file: string, known: ReadonlySet<string>): Import[] {
  const found: Import[] = [];
  for (const stmt of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(stmt)) spec = stmt.moduleSpecifier;
    else if (ts.isExportDeclaration(stmt)) spec = stmt.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference)) spec = stmt.moduleReference.expression;
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    found.push({ target: resolve(file, spec.text, known), specifier: spec.text, line: lineOf(sf, stmt.getStart(sf)) });
  }
  return found;
}

function resolve(file: string, specifier: string, known: ReadonlySet<string>): string {
  const base = posix.normalize(posix.join(posix.dirname(file), specifier));
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => known.has(c)) ?? base;
}

/** The stage folder of a path under src/, or undefined for a file directly in src/ or outside it. */
export function stageOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function rankOf(stage: string): number | undefined {
  return Object.hasOwn(STAGE_RANKS, stage) ? STAGE_RANKS[stage] : undefined;
}

function checkStages(file: string, imports: readonly Import[], out: Violation[]): void {
  const from = stageOf(file);
  if (from === undefined) return;
  for (const imp of imports) {
    const to = stageOf(imp.target);
    if (to === undefined || to === from) continue;
    const fromRank = rankOf(from);
    const toRank = rankOf(to);
    if (fromRank !== undefined && toRank !== undefined && toRank >= fromRank) {
      const why = toRank === fromRank ? 'the same rank' : 'a higher rank';
      out.push({
        rule: 'upward-import',
        file,
        line: imp.line,
        message: `'${from}' (rank ${fromRank}) imports ${imp.target} from '${to}' (rank ${toRank}), ${why}`,
      });
    }
    if (FORBIDDEN_IMPORTS.some((e) => e.from === from && e.to === to)) {
      out.push({ rule: 'forbidden-import', file, line: imp.line, message: `nothing under src/${from}/ may import src/${to}/: imports ${imp.target}` });
    }
  }
}

function checkUnknownStages(files: readonly string[], out: Violation[]): void {
  const byFolder = new Map<string, string[]>();
  for (const file of files) {
    if (!file.startsWith('src/')) continue;
    const stage = stageOf(file);
    if (stage !== undefined && rankOf(stage) !== undefined) continue;
    const key = stage ?? '';
    byFolder.set(key, [...(byFolder.get(key) ?? []), file]);
  }
  for (const [stage, members] of byFolder) {
    const message =
      stage === ''
        ? `${members.length} file(s) directly in src/, in no stage folder: ${members.join(', ')}`
        : `unknown stage folder 'src/${stage}/' (${members.length} file(s)): add it to STAGE_RANKS in scripts/house/rules.ts or move its files`;
    out.push({ rule: 'unknown-stage', file: members[0] ?? 'src', line: 1, message, files: members });
  }
}

// ---- cycles (Tarjan's strongly connected components) ---------------------------------------

function checkCycles(graph: ReadonlyMap<string, readonly { target: string; line: number }[]>, out: Violation[]): void {
  for (const scc of stronglyConnected(graph)) {
    const members = new Set(scc);
    const selfLoop = scc.length === 1 && (graph.get(scc[0] ?? '') ?? []).some((e) => e.target === scc[0]);
    if (scc.length < 2 && !selfLoop) continue;
    const files = [...scc].sort();
    const first = files[0] ?? '';
    const edge = (graph.get(first) ?? []).find((e) => members.has(e.target));
    const path = shortestCycle(graph, first, members);
    out.push({
      rule: 'import-cycle',
      file: first,
      line: edge?.line ?? 1,
      message: `${files.length} file(s) import each other, e.g. ${path.join(' -> ')}`,
      files,
    });
  }
}

function stronglyConnected(graph: ReadonlyMap<string, readonly { target: string }[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let next = 0;
  // Iterative, so deep import chains cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const edges = graph.get(top.node) ?? [];
      if (top.edge < edges.length) {
        const to = edges[top.edge++]!.target;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          scc.push(member);
        } while (member !== top.node);
        result.push(scc);
      }
    }
  }
  return result;
}

/** One shortest cycle through `start` inside the component (breadth-first), as a path ending at `start`. */
function shortestCycle(graph: ReadonlyMap<string, readonly { target: string }[]>, start: string, members: ReadonlySet<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const { target } of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path: string[] = [];
        for (let at = node; at !== start; at = prev.get(at) ?? start) path.unshift(at);
        return [start, ...path, start];
      }
      if (!prev.has(target) && target !== start) {
        prev.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}

// ---- file and function length, switches, barrels -------------------------------------------

function checkFileLength(file: string, text: string, out: Violation[]): void {
  const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES) out.push({ rule: 'file-length', file, line: 1, message: `${lines} lines (at most ${MAX_FILE_LINES})` });
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression;

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node)
  );
}

function walkBody(sf: ts.SourceFile, file: string, out: Violation[]): void {
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node) && node.body) checkFunction(sf, file, node, out);
    else if (ts.isSwitchStatement(node)) checkSwitch(sf, file, node, out);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && (!node.exportClause || ts.isNamespaceExport(node.exportClause))) {
      const spec = ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : node.moduleSpecifier.getText(sf);
      out.push({ rule: 'barrel-export', file, line: lineOf(sf, node.getStart(sf)), message: `${node.getText(sf).split('\n')[0]} re-exports all of '${spec}'` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

function checkFunction(sf: ts.SourceFile, file: string, node: FunctionNode, out: Violation[]): void {
  const start = lineOf(sf, node.getStart(sf));
  const end = lineOf(sf, node.getEnd());
  const length = end - start + 1;
  if (length > MAX_FUNCTION_LINES) {
    out.push({ rule: 'function-length', file, line: start, message: `${functionName(sf, node)}: ${length} lines (at most ${MAX_FUNCTION_LINES})` });
  }
}

function propertyName(sf: ts.SourceFile, name: ts.PropertyName | ts.BindingName): string {
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) ? name.text : name.getText(sf);
}

/** A readable name: `f`, `Class.method`, the variable or property an anonymous function is assigned to, else `<anonymous>`. */
export function functionName(sf: ts.SourceFile, node: FunctionNode): string {
  const owner = ts.isClassLike(node.parent) ? `${node.parent.name?.text ?? '<class>'}.` : '';
  if (ts.isConstructorDeclaration(node)) return `${owner}constructor`;
  if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) {
    if (node.name) return node.name.text;
  } else if (!ts.isArrowFunction(node)) {
    const prefix = ts.isGetAccessorDeclaration(node) ? 'get ' : ts.isSetAccessorDeclaration(node) ? 'set ' : '';
    return `${prefix}${owner}${propertyName(sf, node.name)}`;
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent)) return propertyName(sf, parent.name);
  if (ts.isPropertyDeclaration(parent)) {
    const cls = ts.isClassLike(parent.parent) ? `${parent.parent.name?.text ?? '<class>'}.` : '';
    return `${cls}${propertyName(sf, parent.name)}`;
  }
  return '<anonymous>';
}

function checkSwitch(sf: ts.SourceFile, file: string, node: ts.SwitchStatement, out: Violation[]): void {
  let expr: ts.Expression = node.expression;
  while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
  if (!ts.isPropertyAccessExpression(expr) || expr.name.text !== 'kind') return;
  const subject = `switch (${expr.getText(sf)})`;
  const line = lineOf(sf, node.getStart(sf));
  const fallback = node.caseBlock.clauses.find(ts.isDefaultClause);
  if (!fallback) {
    out.push({ rule: 'switch-assert-never', file, line, message: `${subject} has no default: clause calling assertNever(…)` });
  } else if (!fallback.statements.some(callsAssertNever)) {
    out.push({ rule: 'switch-assert-never', file, line, message: `${subject}: its default: clause does not call assertNever(…)` });
  }
}

function callsAssertNever(node: ts.Node): boolean {
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    if ((ts.isIdentifier(callee) && callee.text === 'assertNever') || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'assertNever')) return true;
  }
  return ts.forEachChild(node, (child) => (callsAssertNever(child) ? true : undefined)) ?? false;
}

// ---- report --------------------------------------------------------------------------------

/** Human-readable report, grouped by rule with counts. */
export function formatReport(violations: readonly Violation[]): string {
  if (violations.length === 0) return 'house rules: no violations\n';
  const lines = [`house rules: ${violations.length} violation(s)`];
  for (const rule of RULES) {
    const mine = violations.filter((v) => v.rule === rule.id);
    if (mine.length === 0) continue;
    lines.push('', `${rule.title} [${rule.id}]: ${mine.length}`);
    for (const v of mine) {
      lines.push(`  ${v.file}:${v.line}  ${v.message}`);
      if (v.rule === 'import-cycle' && v.files) for (const f of v.files) lines.push(`      ${f}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
