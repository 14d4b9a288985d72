// One operator per action kind (a Record, so a new kind does not compile until it has one). An operator
// is an async generator of Arrow record batches (at least one) computed from the action and its inputs'
// outputs; it returns what provenance needs to know about the call. Model failures become error values.
import { createHash } from 'node:crypto';
import type { Action, ActionId, ActionKind } from '../ir/action-dag.ts';
import type { ModelRef } from '../ir/common.ts';
import type { RecordBatch } from 'apache-arrow';
import type { WorkerRef } from '../ir/physical-plan.ts';
import type { Value } from '../ir/values.ts';
import type { Database } from '../storage/duckdb.ts';
import { embeddingBatch, errorBatch, objectBatch, objectKey, recordBatch, tableBatch, textBatch, type ActionOutput } from './action-output.ts';
import { UserError } from '../diag/diagnostic.ts';
import type { ModelCall, ModelClient, Usage } from './model-client.ts';
import { renderSegments } from './render-prompt.ts';
import { validateReturns } from './validate-returns.ts';
import { batchFromRows } from '../storage/arrow.ts';

/** What operators may use. */
export interface OperatorContext {
  readonly db: Database;
  /** Runs a SQL step with bound parameters (batched by the caller): its result as record batches. */
  readonly sql: (sql: string, params: Readonly<Record<string, Value>>, types: Readonly<Record<string, string>>) => AsyncIterable<RecordBatch>;
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
  /** The worker the plan placed the running action on (a GPU pins a sim:// call to that simulated GPU). */
  readonly worker?: WorkerRef;
  /**
   * Replicas behind a router (a baselines' plan): the GPU for a call whose prompt text is `text`,
   * chosen when the call is sent; `release` when it has finished.
   */
  readonly route?: (text: string, id: ActionId) => Promise<{ readonly gpu: number; readonly release: () => void }>;
  /** The endpoint of a declared worker (CREATE WORKER): its calls go there. */
  readonly endpointOf?: (worker: Extract<WorkerRef, { kind: 'worker' }>) => string | undefined;
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

/** What a model call reports besides its batches (for provenance and run figures). */
export interface CallInfo {
  readonly usage?: Usage;
  readonly promptHash?: string;
  /** The text sent (system and user prompt), for figures that need the exact prompts (bench/). */
  readonly rendered?: { readonly system: string; readonly prompt: string };
  readonly cacheHit?: boolean;
  readonly deduped?: boolean;
  /** The simulated GPU a router or agentlake's dispatch sent the call to. */
  readonly gpu?: number;
}

/** An operator run: record batches out, call facts returned at the end. */
export type OperatorRun = AsyncGenerator<RecordBatch, CallInfo, undefined>;

type Operator<K extends ActionKind> = (a: Extract<Action, { kind: K }>, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext) => OperatorRun;

export const OPERATORS: { readonly [K in ActionKind]: Operator<K> } = {
  async *sql(a, _o, ctx) {
    const release = ctx.hold();
    try {
      // The input query itself (input null) was run while planning; it has no output of its own.
      if (a.input === null) yield tableBatch(batchFromRows([], []));
      else for await (const b of ctx.sql(a.sql, a.params, a.paramTypes ?? {})) yield tableBatch(b);
    } finally {
      release();
    }
    return {};
  },
  async *fetch(a, _o, ctx) {
    try {
      const bytes = await cpu(ctx, () => ctx.readObject(a.key));
      yield objectBatch(a.key, bytes.length, isText(bytes) ? Buffer.from(bytes).toString('utf8') : undefined);
    } catch (e) {
      yield errorBatch('E0201', `cannot read object '${a.key}': ${message(e)}`);
    }
    return {};
  },
  async *format(a, outputs) {
    yield textBatch(renderSegments(a.parts, outputs));
    return {};
  },
  llm: (a, outputs, ctx) => callModel(a, outputs, ctx, 'chat'),
  vlm: (a, outputs, ctx) => callModel(a, outputs, ctx, 'chat'),
  vlm_reason: (a, outputs, ctx) => callModel(a, outputs, ctx, 'chat'),
  // The image half of a split VLM call: reads the image once (the object cache keeps it for every
  // reasoning call that reads this encode) and passes its key on.
  async *vlm_encode(a, outputs, ctx) {
    const key = a.image.kind === 'object' ? a.image.key : objectKey(outputs.get(a.image.action));
    if (key === undefined) {
      yield errorBatch('E0201', 'the image input produced no object');
      return {};
    }
    try {
      const bytes = await cpu(ctx, () => ctx.readObject(key));
      yield objectBatch(key, bytes.length);
    } catch (e) {
      yield errorBatch('E0201', `cannot read object '${key}': ${message(e)}`);
    }
    return {};
  },
  embed: (a, outputs, ctx) => callModel(a, outputs, ctx, 'embedding'),
  image: (a, outputs, ctx) => callModel(a, outputs, ctx, 'image'),
};

type ModelAction = Extract<Action, { kind: 'llm' | 'vlm' | 'vlm_reason' | 'embed' | 'image' }>;

/** Renders, calls, validates RETURNS (one retry on an invalid answer), and stores generated images. */
async function* callModel(a: ModelAction, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext, kind: ModelCall['kind']): OperatorRun {
  const r = await modelResult(a, outputs, ctx, kind);
  yield r.batch;
  return r.info;
}

async function modelResult(action: ModelAction, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext, kind: ModelCall['kind']): Promise<{ batch: RecordBatch; info: CallInfo }> {
  // A call placed on a declared worker goes to that worker's endpoint.
  const endpoint = ctx.worker?.kind === 'worker' ? ctx.endpointOf?.(ctx.worker) : undefined;
  const a: ModelAction = endpoint ? { ...action, model: { ...action.model, endpoint } } : action;
  const system = renderSegments(a.system, outputs);
  const prompt = renderSegments(a.prompt, outputs);
  const promptHash = createHash('sha256').update(JSON.stringify([a.model.name, a.model.version, system, prompt, a.decoding])).digest('hex');
  const returns = 'returns' in a ? a.returns : undefined;
  let routed: { readonly gpu: number; readonly release: () => void } | undefined;
  try {
    const images = a.kind === 'vlm' || a.kind === 'vlm_reason' ? [await cpu(ctx, () => imageOf(a, outputs, ctx))] : undefined;
    const order = ctx.rank?.(a.id);
    const sim = a.model.endpoint.startsWith('sim://');
    routed = sim && ctx.worker?.kind === 'replicas' ? await ctx.route?.(`${system}${prompt}`, a.id) : undefined;
    const gpu = sim && ctx.worker?.kind === 'gpu' ? ctx.worker.index : routed?.gpu;
    const base: ModelCall = { model: a.model, kind, prompt, decoding: a.decoding, ...(order !== undefined ? { order } : {}), ...(gpu !== undefined ? { gpu } : {}), ...(system ? { system } : {}), ...(images ? { images } : {}), ...(returns ? { returns } : {}) };
    let result = await ctx.clientFor(a.model).call(base, ctx.signal);
    let usage = result.usage;
    const from = { ...(result.cacheHit ? { cacheHit: true } : {}), ...(result.deduped ? { deduped: true } : {}), ...(routed ? { gpu: routed.gpu } : {}) };
    if (kind === 'embedding') return { batch: embeddingBatch(result.embedding ?? []), info: { usage, promptHash, rendered: { system, prompt }, ...from } };
    if (kind === 'image') {
      const key = `generated/${a.model.name}/${promptHash.slice(0, 16)}.png`;
      await cpu(ctx, () => ctx.writeObject(key, result.image ?? new Uint8Array()));
      return { batch: objectBatch(key, result.image?.length ?? 0), info: { usage, promptHash, rendered: { system, prompt }, ...from } };
    }
    if (!returns) return { batch: textBatch(result.text ?? ''), info: { usage, promptHash, rendered: { system, prompt }, ...from } };
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
    if (!check.ok) return { batch: errorBatch('E0302', `invalid structured output after one retry: ${check.message}`), info: { usage, promptHash, rendered: { system, prompt }, ...from } };
    return { batch: recordBatch(returns.columns, check.values, result.text ?? ''), info: { usage, promptHash, rendered: { system, prompt }, ...from } };
  } catch (e) {
    // Cancellation and configuration mistakes (a missing API key variable) stop the statement.
    if (ctx.signal.aborted || e instanceof UserError) throw e;
    return { batch: errorBatch('E0303', `model call failed: ${message(e)}`), info: { promptHash } };
  } finally {
    routed?.release();
  }
}

/** A VLM call's image: its own input, or (split calls) the object its encode action read. */
async function imageOf(a: Extract<Action, { kind: 'vlm' | 'vlm_reason' }>, outputs: ReadonlyMap<ActionId, ActionOutput>, ctx: OperatorContext): Promise<{ id: string; bytes: Uint8Array }> {
  const key = a.kind === 'vlm_reason' ? objectKey(outputs.get(a.encoded)) : a.image.kind === 'object' ? a.image.key : objectKey(outputs.get(a.image.action));
  if (key === undefined) throw new Error('the image input produced no object');
  return { id: key, bytes: await ctx.readObject(key) };
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
