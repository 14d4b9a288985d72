// One operator per action kind (a Record, so a new kind does not compile until it has one). Operators
// turn an action and its inputs' outputs into an output; model failures become error values.
import { createHash } from 'node:crypto';
import type { Action, ActionId, ActionKind } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import type { Rows, Value } from '../storage/duckdb.ts';
import type { Database } from '../storage/duckdb.ts';
import type { ActionOutput } from './action-output.ts';
import { UserError } from '../diag/diagnostic.ts';
import type { ModelCall, ModelClient, Usage } from './model-client.ts';
import { renderSegments } from './render-prompt.ts';
import { validateReturns } from './validate-returns.ts';

/** What operators may use. */
export interface OperatorContext {
  readonly db: Database;
  /** Runs a SQL step with bound parameters (batched by the caller). */
  readonly sql: (sql: string, params: Readonly<Record<string, Value>>, types: Readonly<Record<string, string>>) => Promise<Rows>;
  readonly readObject: (key: string) => Promise<Uint8Array>;
  readonly writeObject: (key: string, body: Uint8Array) => Promise<void>;
  readonly clientFor: (model: ModelRef) => ModelClient;
  readonly signal: AbortSignal;
  /** Seconds on the run's clock (simulated for sim://). */
  readonly clock: () => number;
  /**
   * Holds a virtual clock while CPU work runs (simulated time passes only while every task waits on
   * a simulated GPU); returns the release. A no-op on real clocks.
   */
  readonly hold: () => () => void;
  /** An action's position in the plan (passed to servers that order same-instant arrivals). */
  readonly rank?: (id: ActionId) => number;
}

/** Runs CPU work with the clock held. */
async function cpu<T>(ctx: OperatorContext, fn: () => Promise<T>): Promise<T> {
  const release = ctx.hold();
  try {
    return await fn();
  } finally {
    release();
  }
}

export interface OperatorResult {
  readonly output: ActionOutput;
  readonly usage?: Usage;
  readonly promptHash?: string;
  readonly cacheHit?: boolean;
  readonly deduped?: boolean;
}

type Operator<K extends ActionKind> = (a: Extract<Action, { kind: K }>, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext) => Promise<OperatorResult>;

export const OPERATORS: { readonly [K in ActionKind]: Operator<K> } = {
  sql: async (a, _o, ctx) => cpu(ctx, async () => {
    if (a.input === null) return { output: { kind: 'table', columns: [], rows: [] } };
    const r = await ctx.sql(a.sql, a.params, a.paramTypes ?? {});
    return { output: { kind: 'table', columns: r.columns, rows: r.rows } };
  }),
  fetch: async (a, _o, ctx) => cpu(ctx, async () => {
    try {
      const bytes = await ctx.readObject(a.key);
      return { output: { kind: 'object', key: a.key, size: bytes.length, ...(isText(bytes) ? { text: Buffer.from(bytes).toString('utf8') } : {}) } };
    } catch (e) {
      return { output: { kind: 'error', code: 'E0201', message: `cannot read object '${a.key}': ${message(e)}` } };
    }
  }),
  format: async (a, outputs) => ({ output: { kind: 'text', text: renderSegments(a.parts, outputs) } }),
  llm: async (a, outputs, ctx) => callModel(a, outputs, ctx, 'chat'),
  vlm: async (a, outputs, ctx) => callModel(a, outputs, ctx, 'chat'),
  vlm_reason: async (a, outputs, ctx) => callModel(a, outputs, ctx, 'chat'),
  vlm_encode: async (a) => ({ output: { kind: 'text', text: a.image.kind === 'object' ? a.image.key : a.image.action } }),
  embed: async (a, outputs, ctx) => callModel(a, outputs, ctx, 'embedding'),
  image: async (a, outputs, ctx) => callModel(a, outputs, ctx, 'image'),
};

type ModelAction = Extract<Action, { kind: 'llm' | 'vlm' | 'vlm_reason' | 'embed' | 'image' }>;

/** Renders, calls, validates RETURNS (one retry on an invalid answer), and stores generated images. */
async function callModel(a: ModelAction, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext, kind: ModelCall['kind']): Promise<OperatorResult> {
  const system = renderSegments(a.system, outputs);
  const prompt = renderSegments(a.prompt, outputs);
  const promptHash = createHash('sha256').update(JSON.stringify([a.model.name, a.model.version, system, prompt, a.decoding])).digest('hex');
  const returns = 'returns' in a ? a.returns : undefined;
  try {
    const images = a.kind === 'vlm' ? [await cpu(ctx, () => imageOf(a, outputs, ctx))] : undefined;
    const order = ctx.rank?.(a.id);
    const base: ModelCall = { model: a.model, kind, prompt, decoding: a.decoding, ...(order !== undefined ? { order } : {}), ...(system ? { system } : {}), ...(images ? { images } : {}), ...(returns ? { returns } : {}) };
    let result = await ctx.clientFor(a.model).call(base, ctx.signal);
    let usage = result.usage;
    const from = { ...(result.cacheHit ? { cacheHit: true } : {}), ...(result.deduped ? { deduped: true } : {}) };
    if (kind === 'embedding') return { output: { kind: 'embedding', vector: result.embedding ?? [] }, usage, promptHash, ...from };
    if (kind === 'image') {
      const key = `generated/${a.model.name}/${promptHash.slice(0, 16)}.png`;
      await cpu(ctx, () => ctx.writeObject(key, result.image ?? new Uint8Array()));
      return { output: { kind: 'object', key, size: result.image?.length ?? 0 }, usage, promptHash, ...from };
    }
    if (!returns) return { output: { kind: 'text', text: result.text ?? '' }, usage, promptHash, ...from };
    let check = await cpu(ctx, () => validateReturns(result.text ?? '', returns, ctx.db));
    if (!check.ok) {
      // An answer that fails RETURNS must not be served again from the response cache.
      await cpu(ctx, async () => ctx.clientFor(a.model).forget?.(base));
      const retry = { ...base, prompt: `${prompt}\n\nYour previous answer was rejected (${check.message}). Answer with one JSON object only.` };
      result = await ctx.clientFor(a.model).call(retry, ctx.signal);
      usage = addUsage(usage, result.usage);
      check = await cpu(ctx, () => validateReturns(result.text ?? '', returns, ctx.db));
      if (!check.ok) await cpu(ctx, async () => ctx.clientFor(a.model).forget?.(retry));
    }
    if (!check.ok) return { output: { kind: 'error', code: 'E0302', message: `invalid structured output after one retry: ${check.message}` }, usage, promptHash, ...from };
    return { output: { kind: 'record', values: check.values, text: result.text ?? '' }, usage, promptHash, ...from };
  } catch (e) {
    // Cancellation and configuration mistakes (a missing API key variable) stop the statement.
    if (ctx.signal.aborted || e instanceof UserError) throw e;
    return { output: { kind: 'error', code: 'E0303', message: `model call failed: ${message(e)}` }, promptHash };
  }
}

async function imageOf(a: Extract<Action, { kind: 'vlm' }>, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext): Promise<{ id: string; bytes: Uint8Array }> {
  const key = a.image.kind === 'object' ? a.image.key : keyOf(outputs.get(a.image.action));
  return { id: key, bytes: await ctx.readObject(key) };
}

function keyOf(o: ActionOutput | undefined): string {
  if (o?.kind === 'object') return o.key;
  throw new Error('the image input produced no object');
}

function addUsage(a: Usage, b: Usage): Usage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, cachedTokens: a.cachedTokens + b.cachedTokens };
}

function isText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return false;
  return !(bytes[0] === 0x89 && bytes[1] === 0x50);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
