// Records every finished action of a run (Session onEvent) and turns the model calls into the token
// ids the simulator saw: the same chat request body the sim client sends (system + user message, the
// image as a PNG data URL), validated by the simulator's own parser and tokenized by its chat
// template. Holds: for every call sent, the ids' length equals the prompt tokens the simulator
// reported (checked; mismatches are counted, e.g. a RETURNS retry, whose prompt is not reported).
import type { Action } from '../src/ir/action-dag.ts';
import { isModelCall } from '../src/ir/action-dag.ts';
import { isDeterministic, type ModelRef } from '../src/ir/common.ts';
import { objectKey } from '../src/runtime/action-output.ts';
import type { ActionEvent } from '../src/runtime/executor.ts';
import { DEFAULT_SIM_MODELS, inferModelSpec } from '../src/sim/models.ts';
import { parseChat } from '../src/sim/parse-request.ts';
import { chatPromptTokens } from '../src/sim/prompt-tokens.ts';

/** One finished action as the bench keeps it. */
export interface CapturedAction {
  /** Unique over the cell (statement index prefixed). */
  readonly id: string;
  readonly deps: readonly string[];
  readonly kind: Action['kind'];
  readonly model?: ModelRef;
  readonly deterministic: boolean;
  readonly worker: string;
  readonly rendered?: { readonly system: string; readonly prompt: string };
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number; readonly cachedTokens: number };
  /** Not sent to a GPU: deduplicated, answered from the response cache, or skipped after an error. */
  readonly notSent: boolean;
  /** The object a VLM call reads (its key, or the action producing it). */
  readonly image?: { readonly key: string } | { readonly action: string };
  /** The object key this action produced (fetch, image generation). */
  readonly outputKey?: string;
}

/** A captured model call with its prompt as the simulator's token ids. */
export interface TokenizedCall {
  readonly action: CapturedAction;
  readonly model: ModelRef;
  readonly tokens: readonly number[];
}

/** Collects events of successive statements of one cell. */
export class EventCapture {
  readonly actions: CapturedAction[] = [];
  private statement = 0;

  /** Starts the next statement: its action ids get a fresh prefix. */
  nextStatement(): void {
    this.statement++;
  }

  /** The onEvent callback for Session.runScript. */
  readonly onEvent = (e: ActionEvent): void => {
    const a = e.action;
    const p = `s${this.statement}/`;
    const model = 'model' in a ? a.model : undefined;
    const key = objectKey(e.output);
    const image = a.kind === 'vlm' ? (a.image.kind === 'object' ? { key: a.image.key } : { action: p + a.image.action }) : undefined;
    this.actions.push({
      id: p + a.id,
      deps: a.deps.map((d) => p + d),
      kind: a.kind,
      deterministic: 'decoding' in a ? isDeterministic(a.decoding) : true,
      worker: e.worker,
      notSent: e.deduped === true || e.cacheHit === true || e.skipped === true || e.usage === undefined,
      ...(model && isModelCall(a) ? { model } : {}),
      ...(e.rendered ? { rendered: e.rendered } : {}),
      ...(e.usage ? { usage: e.usage } : {}),
      ...(image ? { image } : {}),
      ...(key ? { outputKey: key } : {}),
    });
  };
}

/** Reads an object of the cell's lakehouse (for VLM images). */
export type ReadObject = (key: string) => Promise<Uint8Array>;

/**
 * Token ids of every captured chat call (llm, vlm, vlm_reason) that has a rendered prompt, deduplicated
 * and cached calls included (bench figures decide which count). Image generation and embeddings are
 * not chat calls and are left out.
 */
export async function tokenizeCalls(actions: readonly CapturedAction[], readObject: ReadObject): Promise<{ calls: TokenizedCall[]; mismatches: number }> {
  const keys = new Map<string, string>();
  for (const a of actions) if (a.outputKey !== undefined) keys.set(a.id, a.outputKey);
  const urls = new Map<string, string>();
  const dataUrl = async (key: string): Promise<string> => {
    const known = urls.get(key);
    if (known !== undefined) return known;
    const url = `data:image/png;base64,${Buffer.from(await readObject(key)).toString('base64')}`;
    urls.set(key, url);
    return url;
  };
  const calls: TokenizedCall[] = [];
  let mismatches = 0;
  for (const a of actions) {
    if (!a.model || !a.rendered || (a.kind !== 'llm' && a.kind !== 'vlm' && a.kind !== 'vlm_reason')) continue;
    const { system, prompt } = a.rendered;
    let user: unknown = prompt;
    if (a.image) {
      const key = 'key' in a.image ? a.image.key : keys.get(a.image.action);
      if (key === undefined) throw new Error(`bench: no image object for ${a.id}`);
      user = [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url: await dataUrl(key) } }];
    }
    const body = { model: a.model.modelName, messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: user }] };
    const spec = DEFAULT_SIM_MODELS.find((m) => m.id === a.model?.modelName) ?? inferModelSpec(a.model.modelName, { kind: a.model.kind === 'vlm' ? 'vlm' : 'llm', paramsB: a.model.paramsB });
    const tokens = chatPromptTokens(parseChat(body).messages, spec.vision).ids;
    if (!a.notSent && a.usage && a.usage.promptTokens !== tokens.length) mismatches++;
    calls.push({ action: a, model: a.model, tokens });
  }
  return { calls, mismatches };
}
