// Binds CREATE MODEL options into a ModelDef: known options only, typed values, an endpoint that is
// sim:// or an http(s) base URL, and never an API key (only the name of the env var holding it).
import type { CreateModel, Literal, OptionPair } from '../sql/ast.ts';
import type { ModelDef } from '../catalog/catalog.ts';
import { MODEL_KINDS, type ModelKind } from '../ir/common.ts';
import { DiagnosticSink } from '../diag/diagnostic.ts';
import { didYouMean } from '../diag/suggest.ts';

type OptionType = 'string' | 'number' | 'integer' | 'kind';

const OPTIONS: Readonly<Record<string, OptionType>> = {
  kind: 'kind',
  endpoint: 'string',
  name: 'string',
  params_b: 'number',
  api_key_env: 'string',
  context_length: 'integer',
  max_concurrency: 'integer',
  rate_limit_rpm: 'number',
  timeout_ms: 'integer',
  image_tokens: 'integer',
};

/** Parameter count assumed when PARAMS_B is not given (billions). */
const DEFAULT_PARAMS_B: Readonly<Record<ModelKind, number>> = { llm: 8, vlm: 7, embedding: 0.1, diffusion: 6 };

/** Validates a CREATE MODEL statement; throws a UserError listing every problem. */
export function bindModel(stmt: CreateModel): Omit<ModelDef, 'version'> {
  const sink = new DiagnosticSink();
  const values = new Map<string, string | number>();
  const spans = new Map<string, OptionPair>();
  for (const opt of stmt.options) {
    const key = opt.key.name;
    const type = OPTIONS[key];
    if (key === 'api_key') {
      sink.error('B0113', 'api keys are never stored in the catalog', opt.span, { help: "put the key in an environment variable and name it with API_KEY_ENV 'VAR'" });
      continue;
    }
    if (!type) {
      sink.error('B0111', `unknown model option '${key}'`, opt.key.span, { help: didYouMean(key, Object.keys(OPTIONS)) ?? `known options: ${Object.keys(OPTIONS).join(', ')}` });
      continue;
    }
    if (spans.has(key)) {
      sink.error('B0114', `model option '${key}' is given twice`, opt.key.span);
      continue;
    }
    spans.set(key, opt);
    const v = literalValue(opt.value, type);
    if (v === undefined) {
      sink.error('B0112', `model option '${key}' expects ${describe(type)}, found ${describeLiteral(opt.value)}`, opt.value.span);
      continue;
    }
    values.set(key, v);
  }
  const kind = values.get('kind') as ModelKind | undefined;
  const endpoint = values.get('endpoint') as string | undefined;
  if (!spans.has('kind')) sink.error('B0110', `model '${stmt.name.name}' needs KIND (one of ${MODEL_KINDS.join(', ')})`, stmt.name.span);
  if (!spans.has('endpoint')) sink.error('B0110', `model '${stmt.name.name}' needs ENDPOINT ('sim://' or an OpenAI-compatible base URL)`, stmt.name.span);
  if (endpoint !== undefined && !/^sim:\/\/[\w.-]*\/?$|^https?:\/\/[^\s/]+/.test(endpoint)) {
    const span = spans.get('endpoint')?.value.span;
    sink.error('B0115', `bad endpoint '${endpoint}': expected 'sim://' or an http(s):// base URL`, span);
  }
  const envVar = values.get('api_key_env');
  if (typeof envVar === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(envVar)) {
    sink.error('B0116', `API_KEY_ENV must name an environment variable, found '${envVar}'`, spans.get('api_key_env')?.value.span);
  }
  const paramsB = values.get('params_b');
  if (typeof paramsB === 'number' && !(paramsB > 0)) sink.error('B0112', 'PARAMS_B must be positive', spans.get('params_b')?.value.span);
  sink.throwIfAny();
  const k = kind as ModelKind;
  const options: Record<string, string | number> = {};
  for (const [key, v] of values) if (!['kind', 'endpoint', 'name', 'params_b', 'api_key_env'].includes(key)) options[key] = v;
  return {
    name: stmt.name.name,
    kind: k,
    endpoint: endpoint as string,
    modelName: (values.get('name') as string | undefined) ?? stmt.name.name,
    paramsB: (paramsB as number | undefined) ?? DEFAULT_PARAMS_B[k],
    ...(typeof envVar === 'string' ? { apiKeyEnv: envVar } : {}),
    options,
  };
}

function literalValue(lit: Literal, type: OptionType): string | number | undefined {
  switch (type) {
    case 'kind': {
      const s = lit.kind === 'ident' ? lit.name : lit.kind === 'string' ? lit.value.toLowerCase() : undefined;
      return s !== undefined && (MODEL_KINDS as readonly string[]).includes(s) ? s : undefined;
    }
    case 'string':
      return lit.kind === 'string' ? lit.value : undefined;
    case 'number':
      return lit.kind === 'number' ? lit.value : undefined;
    case 'integer':
      return lit.kind === 'number' && Number.isInteger(lit.value) && lit.value >= 0 ? lit.value : undefined;
  }
}

function describe(type: OptionType): string {
  return type === 'kind' ? `one of ${MODEL_KINDS.join(', ')}` : type === 'string' ? 'a quoted string' : type === 'number' ? 'a number' : 'a non-negative integer';
}

function describeLiteral(lit: Literal): string {
  return lit.kind === 'string' ? `'${lit.value}'` : lit.kind === 'ident' ? `'${lit.name}'` : String(lit.value);
}
