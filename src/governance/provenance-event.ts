// One provenance row from one finished action: which step and call site it belongs to, the model
// and endpoint (never a key), prompt hash, input and output references, cache use, tokens, worker,
// times and status.
import type { CallSite } from '../ir/bound-query.ts';
import { errorOf } from '../runtime/action-output.ts';
import type { ActionEvent } from '../runtime/executor.ts';
import type { ProvenanceEvent } from './provenance.ts';

/** The provenance row of `e` in run `runId`, for an action of call site `site`. */
export function provenanceEvent(runId: string, site: CallSite, e: ActionEvent): ProvenanceEvent {
  const a = e.action;
  const model = 'model' in a ? a.model : undefined;
  const error = errorOf(e.output);
  return {
    run_id: runId,
    step: site.kind === 'workflow' ? `${site.graph.name}.${a.step}` : a.step,
    action: a.id,
    input: a.input,
    kind: a.kind,
    model: model?.name ?? null,
    model_version: model?.version ?? null,
    endpoint: model?.endpoint ?? null,
    prompt_hash: e.promptHash ?? null,
    input_refs: [...a.deps],
    output_ref: `${runId}/${a.id}`,
    response_cache_hit: e.cacheHit ?? false,
    cached_tokens: e.usage?.cachedTokens ?? null,
    tokens_in: e.usage?.promptTokens ?? null,
    tokens_out: e.usage?.completionTokens ?? null,
    worker: e.worker,
    started_at: e.startedAt,
    ended_at: e.endedAt,
    status: error ? 'error' : 'ok',
    error: error ? `${error.code}: ${error.message}` : null,
  };
}
