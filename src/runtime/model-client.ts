// The boundary between the runtime and inference servers: one call as plain data, and the client
// interface every backend implements (the in-process sim:// simulator, OpenAI-compatible HTTP servers).
import type { GpuDeployment } from '../ir/physical-plan.ts';
import type { Decoding, ModelRef, ReturnSpec } from '../ir/common.ts';

/** One model call, fully rendered. */
export interface ModelCall {
  readonly model: ModelRef;
  readonly kind: 'chat' | 'embedding' | 'image';
  readonly system?: string;
  readonly prompt: string;
  /** Images for a VLM call: an identity (object key or content hash) and the bytes. */
  readonly images?: readonly { readonly id: string; readonly bytes: Uint8Array }[];
  readonly decoding: Decoding;
  /** Typed output asked for with RETURNS: the server is asked for JSON matching this schema. */
  readonly returns?: ReturnSpec;
  /** The call's position in the plan (simulated servers order same-instant arrivals by it). */
  readonly order?: number;
  /** The simulated GPU the plan placed the call on (sim:// only; never part of the cache key). */
  readonly gpu?: number;
  /**
   * Think before answering (vLLM's `chat_template_kwargs.enable_thinking`, Qwen3's switch); absent:
   * the server's default. Part of the cache key: a thinking answer is another answer.
   */
  readonly thinking?: boolean;
}

/** Token usage of a call; cached tokens are the prompt tokens the server's prefix cache served. */
export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
}

export interface ModelResult {
  readonly text?: string;
  readonly embedding?: readonly number[];
  readonly image?: Uint8Array;
  readonly usage: Usage;
  /** Simulated seconds from submission to the last token (sim:// only). */
  readonly simulatedSeconds?: number;
  /** Answered from the response cache (no server was asked). */
  readonly cacheHit?: boolean;
  /** Shared with an identical call that was in flight (one server request for both). */
  readonly deduped?: boolean;
}

/** A backend for one endpoint. Implementations retry transient failures themselves. */
export interface ModelClient {
  call(call: ModelCall, signal: AbortSignal): Promise<ModelResult>;
  /** Drops a stored answer (one that failed validation) so it is not served again. */
  forget?(call: ModelCall): Promise<void>;
  /** Makes `model` resident on simulated GPU `gpu` once it is idle (sim:// only; a hint, never an error). */
  prepare?(model: ModelRef, gpu: number): void;
  /**
   * Starts simulated GPU `gpu` with `model` already resident, at no cost, when the GPU has held
   * nothing yet (a warm cluster: the server was deployed before the run); else a no-op.
   */
  warmStart?(model: ModelRef, gpu: number): void;
  /**
   * Deploys simulated GPU `gpu` before the run as a baseline's operator would (sim:// only): `models`
   * side by side with their memory shares when `memoryFractions` is given (co-location), else the
   * first active and the rest asleep (vLLM sleep mode). Warm: resident at no cost on a fresh GPU;
   * cold: loading from now.
   */
  deploy?(gpu: number, deployment: GpuDeployment, warm: boolean): void;
}

/** JSON schema for a RETURNS spec (DuckDB types mapped to JSON types). */
export function returnsSchema(spec: ReturnSpec): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of spec.columns) properties[c.name] = { ...jsonType(c.type), ...(c.check ? checkHints(c.name, c.check) : {}) };
  return { type: 'object', properties, required: spec.columns.map((c) => c.name), additionalProperties: false };
}

/** DuckDB's whole-number types. */
export function isIntegerType(duck: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/i.test(duck);
}

function jsonType(duck: string): Record<string, unknown> {
  const t = duck.toUpperCase();
  if (t.endsWith('[]')) return { type: 'array', items: jsonType(t.slice(0, -2)) };
  if (t === 'BOOLEAN') return { type: 'boolean' };
  if (isIntegerType(t)) return { type: 'integer' };
  if (/^(FLOAT|DOUBLE|REAL)$|^DECIMAL/.test(t)) return { type: 'number' };
  return { type: 'string' };
}

/**
 * What a CHECK says that JSON schema can say too, so constrained decoding produces valid values:
 * `col IN ('a', 'b')` becomes an enum, `col BETWEEN x AND y` / `col >= x` / `col <= y` bounds.
 */
function checkHints(col: string, check: string): Record<string, unknown> {
  const name = col.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const inList = new RegExp(`^\\s*"?${name}"?\\s+IN\\s*\\((.*)\\)\\s*$`, 'is').exec(check);
  if (inList) {
    const values = [...(inList[1] ?? '').matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
    if (values.length > 0) return { enum: values };
  }
  const between = new RegExp(`^\\s*"?${name}"?\\s+BETWEEN\\s+(-?[\\d.]+)\\s+AND\\s+(-?[\\d.]+)\\s*$`, 'i').exec(check);
  if (between) return { minimum: Number(between[1]), maximum: Number(between[2]) };
  const out: Record<string, unknown> = {};
  for (const m of check.matchAll(new RegExp(`"?${name}"?\\s*(>=|<=)\\s*(-?[\\d.]+)`, 'gi'))) out[m[1] === '>=' ? 'minimum' : 'maximum'] = Number(m[2]);
  return out;
}
