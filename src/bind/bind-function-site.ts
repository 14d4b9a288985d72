// Binds model functions used inside queries: llm(), llm_filter(), llm_agg(), vlm(), embed() in a
// SELECT node, and the llm_map((query), ...) table function. Each becomes a call site: the model, the
// prompt template over columns of an input query, decoding options and an optional RETURNS spec.
import type { ModelKind } from '../ir/common.ts';
import { DiagnosticSink, fail, UserError, type Diagnostic } from '../diag/diagnostic.ts';
import type { Span } from '../diag/span.ts';
import { didYouMean } from '../diag/suggest.ts';
import { DEFAULT_DECODING, type Decoding, type ModelRef, type ReturnSpec } from '../ir/common.ts';
import { parseReturnsText } from '../sql/parse.ts';
import type { StringLit } from '../sql/ast.ts';
import { bindReturns, DECODING, describeRange, inRange } from './bind-clauses.ts';
import type { QueryScope, QuerySource } from './query-source.ts';
import { bareName, call, children, columnRef, contains, isNode, location, numberConstant, rowKey, stringConstant, type JsonNode } from '../sql/duck-ast.ts';
import { inputsOfSelect, isAggregate } from './query-inputs.ts';
import { ROW_KEY, type FunctionSite, type MapSite, type ModelFunction, type SitePart } from '../ir/bound-query.ts';
import { parseTemplateText } from './template-text.ts';

const MODEL_KIND: Readonly<Record<ModelFunction | 'llm_map', ModelKind>> = { llm: 'llm', llm_filter: 'llm', llm_agg: 'llm', llm_map: 'llm', vlm: 'vlm', embed: 'embedding' };

/** Positional parameters of each function after the model (named arguments may give them too). */
const POSITIONAL: Readonly<Record<ModelFunction, readonly string[]>> = {
  llm: ['prompt'],
  llm_filter: ['prompt'],
  llm_agg: ['value', 'prompt'],
  vlm: ['image', 'prompt'],
  embed: ['input'],
};
const DECODING_ARGS = ['max_tokens', 'temperature', 'seed', 'top_p'];
const NAMED: Readonly<Record<ModelFunction | 'llm_map', readonly string[]>> = {
  llm: ['prompt', 'system', 'returns', ...DECODING_ARGS],
  llm_filter: ['prompt', 'system', ...DECODING_ARGS],
  llm_agg: ['value', 'prompt', 'system', 'returns', ...DECODING_ARGS],
  vlm: ['image', 'prompt', 'system', 'returns', ...DECODING_ARGS],
  embed: ['input'],
  llm_map: ['model', 'prompt', 'system', 'returns', ...DECODING_ARGS],
};


/** Binds a model function call found in `select`. */
export async function bindFunctionSite(node: JsonNode, fn: string, select: JsonNode, cteMap: unknown, span: Span, scope: QueryScope, src: QuerySource): Promise<FunctionSite> {
  const f = fn as ModelFunction;
  const args = splitArgs(node, f, span, src);
  const model = resolveModel(args.model, f, span, scope, src);
  const items: JsonNode[] = [];
  const placeholders = new Map<string, Span>();
  const sink = new DiagnosticSink();
  let prompt: SitePart[] = [];
  const promptArg = args.named.get('prompt');
  if (f === 'llm_agg') {
    const value = args.named.get('value');
    if (!value) fail('B0505', 'llm_agg() needs a model and the value to aggregate', span);
    // The values in the prompt keep the call's own ORDER BY, else they are sorted (deterministic prompts).
    const own = node['order_bys'];
    const ordered = isNode(own) && Array.isArray(own['orders']) && own['orders'].length > 0;
    const orderBys = ordered ? own : { type: 'ORDER_MODIFIER', orders: [{ type: 'ORDER_DEFAULT', null_order: 'ORDER_DEFAULT', expression: value }] };
    items.push({ ...call('list', [value], { order_bys: orderBys }), alias: 'values' });
    const instruction = promptArg ? constantText(promptArg, 'prompt', src) : 'Summarize these values.';
    prompt = [{ kind: 'text', text: `${instruction}\n\n` }, { kind: 'column', name: 'values' }];
  } else if (f === 'embed') {
    const input = args.named.get('input');
    if (!input) fail('B0505', 'embed() needs a model and the text to embed', span);
    prompt = promptParts(input, 'input', items, src, sink, placeholders);
  } else {
    if (!promptArg) fail('B0505', `${f}() needs a model and a prompt, e.g. ${f}('model', 'Summarize: ' || body)`, span);
    prompt = promptParts(promptArg, 'prompt', items, src, sink, placeholders);
  }
  let imageColumn: string | undefined;
  if (f === 'vlm') {
    const image = args.named.get('image');
    if (!image) fail('B0505', "vlm() needs an image, e.g. vlm('llava', image => key, prompt => 'Describe this chart')", span);
    items.push({ ...image, alias: 'image' });
    imageColumn = 'image';
  }
  sink.throwIfAny();
  const keyed = [...items, { ...rowKey(items.length > 0 ? items : [constantOne()]), alias: ROW_KEY }];
  const inputSql = await scope.db.renderSelect(inputsOfSelect(select, keyed, cteMap));
  await checkInput(inputSql, span, scope, src, node, placeholders);
  const rest = await bindOptions(args.named, f, scope, src);
  // llm_filter asks for a typed yes/no, so the answer is a BOOLEAN rather than parsed prose.
  if (f === 'llm_filter') rest.returns = { columns: [{ name: 'answer', type: 'BOOLEAN' }] };
  return {
    kind: 'function', fn: f, model, inputSql, prompt, ...rest, ...(imageColumn ? { imageColumn } : {}), span,
    items: items.length > 0 ? items : [constantOne()], location: location(node) ?? -1,
    // WHERE runs before aggregation: a call there reads rows, not groups.
    aggregate: isAggregate(select) && !contains(select['where_clause'], (n) => n === node),
  };
}

/** Binds llm_map((query), model => 'm', prompt => '... {{col}}', returns => '...'). */
export async function bindMapSite(node: JsonNode, span: Span, scope: QueryScope, src: QuerySource): Promise<MapSite> {
  const args = children(node);
  const first = args[0];
  if (!first || first['class'] !== 'SUBQUERY' || !isNode(first['subquery'])) {
    fail('B0505', "llm_map() needs a query first, e.g. llm_map((FROM news), model => 'm', prompt => 'Classify {{title}}')", span);
  }
  const named = new Map<string, JsonNode>();
  for (const a of args.slice(1)) {
    const key = String(a['alias'] ?? '').toLowerCase();
    if (!key) fail('B0505', 'llm_map() takes named arguments after the query (model => ..., prompt => ...)', src.span(a));
    checkNamed(key, 'llm_map', a, src);
    named.set(key, a);
  }
  const modelArg = named.get('model');
  if (!modelArg) fail('B0505', "llm_map() needs model => 'name'", span);
  const model = resolveModel(modelArg, 'llm_map', span, scope, src);
  const promptArg = named.get('prompt');
  if (!promptArg) fail('B0505', "llm_map() needs prompt => '... {{column}} ...'", span);
  const inputSql = await scope.db.renderSelect(first['subquery']);
  const cols = await checkInput(inputSql, span, scope, src, first);
  const sink = new DiagnosticSink();
  const text = constantText(promptArg, 'prompt', src);
  const lit = literalAt(text, promptArg, src);
  const prompt: SitePart[] = [];
  const names = cols.map((c) => c.toLowerCase());
  for (const p of parseTemplateText(lit, [])) {
    if (p.kind === 'text') prompt.push(p);
    else if (names.includes(p.name)) prompt.push({ kind: 'column', name: cols[names.indexOf(p.name)] ?? p.name });
    else sink.error('B0206', `unknown placeholder '{{${p.name}}}': not a column of the llm_map() query`, p.span, { help: didYouMean(p.name, cols) });
  }
  sink.throwIfAny();
  const rest = await bindOptions(named, 'llm_map', scope, src);
  return { kind: 'llm_map', model, inputSql, prompt, ...rest, span, location: location(node) ?? -1 };
}

/** Model constant, positional and named arguments, with count and name checks. */
function splitArgs(node: JsonNode, f: ModelFunction, span: Span, src: QuerySource): { model: JsonNode | undefined; named: Map<string, JsonNode> } {
  const args = children(node);
  const named = new Map<string, JsonNode>();
  const positional = args.filter((a) => !a['alias']);
  const slots = POSITIONAL[f];
  if (positional.length - 1 > slots.length) {
    fail('B0505', `${f}() takes at most ${slots.length + 1} positional arguments (model, ${slots.join(', ')}), got ${positional.length}`, span);
  }
  positional.slice(1).forEach((a, i) => named.set(slots[i] ?? '', a));
  for (const a of args.filter((x) => x['alias'])) {
    const key = String(a['alias']).toLowerCase();
    checkNamed(key, f, a, src);
    if (named.has(key)) fail('B0505', `argument '${key}' of ${f}() is given twice`, src.argName(a));
    named.set(key, a);
  }
  return { model: positional[0], named };
}

function checkNamed(key: string, f: ModelFunction | 'llm_map', a: JsonNode, src: QuerySource): void {
  if (!NAMED[f].includes(key)) fail('B0504', `unknown argument '${key}' of ${f}()`, src.argName(a), { help: didYouMean(key, NAMED[f]) ?? `known: ${NAMED[f].join(', ')}` });
}

function resolveModel(arg: JsonNode | undefined, f: ModelFunction | 'llm_map', span: Span, scope: QueryScope, src: QuerySource): ModelRef {
  const name = stringConstant(arg)?.toLowerCase();
  if (arg && name === undefined && bareName(arg) !== undefined) {
    const bare = bareName(arg) ?? '';
    fail('B0505', `the model of ${f}() must be a quoted name`, src.span(arg), { help: `write '${bare}' in quotes, e.g. ${f === 'llm_map' ? "model => '" + bare + "'" : f + "('" + bare + "', ...)"}` });
  }
  if (!arg || name === undefined) fail('B0505', `${f}() needs the model name first, as a quoted string`, span);
  const m = scope.catalog.models.get(name);
  const at = src.span(arg);
  if (!m) fail('B0102', `unknown model '${name}'`, at, { help: didYouMean(name, scope.catalog.models.keys()) ?? 'declare it with CREATE MODEL' });
  if (m.kind !== MODEL_KIND[f]) fail('B0103', `model '${name}' has KIND ${m.kind}; ${f}() needs a model of KIND ${MODEL_KIND[f]}`, at);
  return { name: m.name, kind: m.kind, endpoint: m.endpoint, modelName: m.modelName, paramsB: m.paramsB ?? 8, version: m.version };
}

/** A prompt argument: a string constant with {{column}} placeholders, or any SQL expression DuckDB evaluates. */
function promptParts(arg: JsonNode, alias: string, items: JsonNode[], src: QuerySource, sink: DiagnosticSink, placeholders: Map<string, Span>): SitePart[] {
  const text = stringConstant(arg);
  if (text === undefined) {
    items.push({ ...arg, alias });
    return [{ kind: 'column', name: alias }];
  }
  const parts: SitePart[] = [];
  const diags: Diagnostic[] = [];
  for (const p of parseTemplateText(literalAt(text, arg, src), diags)) {
    if (p.kind === 'text') parts.push(p);
    else {
      if (!placeholders.has(p.name)) placeholders.set(p.name, p.span);
      const col = `col_${p.name}`;
      if (!items.some((i) => i['alias'] === col)) items.push({ ...columnRef(p.name), alias: col });
      parts.push({ kind: 'column', name: col });
    }
  }
  for (const d of diags) sink.add(d);
  return parts;
}

function constantOne(): JsonNode {
  return { class: 'CONSTANT', type: 'VALUE_CONSTANT', alias: 'row', query_location: -1, value: { type: { id: 'INTEGER', type_info: null }, is_null: false, value: 1 } };
}

function constantText(arg: JsonNode, what: string, src: QuerySource): string {
  const t = stringConstant(arg);
  if (t === undefined) fail('B0505', `'${what}' must be a quoted string here`, src.span(arg));
  return t;
}

/** A StringLit view of a string constant so placeholder spans point into the script. */
function literalAt(text: string, arg: JsonNode, src: QuerySource): StringLit {
  const span = src.span(arg);
  // The raw text between the quotes as written ('' escapes included), so placeholder spans are exact.
  const raw = src.text.slice(span.start - src.start + 1, span.end - src.start - 1);
  return { kind: 'string', value: text, raw, rawStart: span.start + 1, quote: 'single', span };
}

/** Runs DuckDB's binder over an input query; errors are mapped back into the user's query text. */
async function checkInput(sql: string, span: Span, scope: QueryScope, src: QuerySource, within: JsonNode, placeholders?: ReadonlyMap<string, Span>): Promise<string[]> {
  try {
    return (await scope.db.describe(sql)).columns.map((c) => c.name);
  } catch (e) {
    throw new UserError([src.diagnose(e, sql, span, within, placeholders)]);
  }
}

/** system, decoding and returns arguments. */
async function bindOptions(named: ReadonlyMap<string, JsonNode>, f: string, scope: QueryScope, src: QuerySource): Promise<{ system?: string; systemPrompt?: { name: string; version: number }; decoding: Decoding; returns?: ReturnSpec }> {
  const out: { system?: string; systemPrompt?: { name: string; version: number }; decoding: Decoding; returns?: ReturnSpec } = { decoding: DEFAULT_DECODING };
  const sys = named.get('system');
  if (sys) {
    const lit = stringConstant(sys);
    const ref = bareName(sys);
    if (lit !== undefined) out.system = lit;
    else if (ref !== undefined) {
      const p = scope.catalog.prompts.get(ref);
      if (!p) fail('B0104', `unknown prompt '${ref}'`, src.span(sys), { help: didYouMean(ref, scope.catalog.prompts.keys()) });
      out.system = p.text;
      out.systemPrompt = { name: p.name, version: p.version };
    } else fail('B0505', 'system must be a quoted string or the name of a prompt', src.span(sys));
  }
  const d: Record<string, number> = {};
  for (const key of DECODING_ARGS) {
    const a = named.get(key);
    if (!a) continue;
    const v = numberConstant(a);
    const spec = DECODING[key];
    if (v === undefined || !spec || !inRange(v, spec)) fail('B0112', `argument '${key}' of ${f}() expects ${spec ? describeRange(spec) : 'a number'}`, src.span(a));
    d[key] = v;
  }
  out.decoding = {
    temperature: d['temperature'] ?? DEFAULT_DECODING.temperature,
    maxTokens: d['max_tokens'] ?? DEFAULT_DECODING.maxTokens,
    ...(d['seed'] !== undefined ? { seed: d['seed'] } : {}),
    ...(d['top_p'] !== undefined ? { topP: d['top_p'] } : {}),
  };
  const ret = named.get('returns');
  if (ret) {
    const text = constantText(ret, 'returns', src);
    const start = src.span(ret).start + 1;
    const parsed = parseReturnsText(text, start);
    if (!parsed.columns) fail(parsed.diagnostics[0]?.code ?? 'P0001', parsed.diagnostics[0]?.message ?? 'bad returns list', parsed.diagnostics[0]?.span);
    const sink = new DiagnosticSink();
    const spec = await bindReturns(parsed.columns, scope.db, sink);
    sink.throwIfAny();
    if (spec) out.returns = spec;
  }
  return out;
}
