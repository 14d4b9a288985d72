// The boundary between the runtime and inference servers: one call as plain data, and the client
// interface every backend implements (the in-process sim:// simulator, OpenAI-compatible HTTP servers).
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
}

/** A backend for one endpoint. Implementations retry transient failures themselves. */
export interface ModelClient {
  call(call: ModelCall, signal: AbortSignal): Promise<ModelResult>;
}

/** JSON schema for a RETURNS spec (DuckDB types mapped to JSON types). */
export function returnsSchema(spec: ReturnSpec): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of spec.columns) properties[c.name] = jsonType(c.type);
  return { type: 'object', properties, required: spec.columns.map((c) => c.name), additionalProperties: false };
}

function jsonType(duck: string): Record<string, unknown> {
  const t = duck.toUpperCase();
  if (t.endsWith('[]')) return { type: 'array', items: jsonType(t.slice(0, -2)) };
  if (t === 'BOOLEAN') return { type: 'boolean' };
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t)) return { type: 'integer' };
  if (/^(FLOAT|DOUBLE|REAL)$|^DECIMAL/.test(t)) return { type: 'number' };
  return { type: 'string' };
}
