// vlm_splitting: VLM calls of one model that read the same image become one image-encode action
// and one reasoning call per prompt. The encode reads the image once (CPU); every reasoning call
// sends the same request as before (same text, same image, same order), so outputs do not change;
// the server encodes the image once too, since its encoder cache is keyed by the image (vLLM, and
// sim:// per ALGORITHMS.md §6). Which calls share an image is decided by Merkle signatures, so an
// image produced by equal upstream work counts as the same image. A VLM whose image no other call
// of its model reads stays whole, and so do calls equal to each other in everything (merkle_dedup
// merges those whole). merkle_dedup then merges the equal encodes.
//   before: vlm#7 "Describe {chart}" IMAGE charts/a.png    vlm#9 "Rate {chart}" IMAGE charts/a.png
//   after:  vlm_encode#7~encode charts/a.png → vlm_reason#7 "Describe…", vlm_encode#9~encode → vlm_reason#9 "Rate…"
//           (merkle_dedup: vlm#9~encode → vlm#7~encode)
import type { Action, ActionId, ImageInput, VlmAction, VlmEncodeAction, VlmReasonAction } from '../../ir/action-dag.ts';
import { computeSignatures } from '../signatures.ts';
import type { Rule } from './rule.ts';

/** Suffix of the id of the encode action split from VLM call `id`. */
export const ENCODE_SUFFIX = '~encode';

export const vlmSplitting: Rule = {
  name: 'vlm_splitting',
  apply(dag) {
    const vlms = dag.actions.filter((a): a is VlmAction => a.kind === 'vlm');
    if (vlms.length < 2) return dag;
    // Cheap first look: images named by object key are told apart without signatures; signatures
    // (a pass over the whole DAG) are computed only when some image may be read twice.
    const byKey = new Map<string, number>();
    let refs = false;
    for (const a of vlms) {
      if (a.image.kind === 'ref') refs = true;
      else byKey.set(`${a.model.name}|${a.image.key}`, (byKey.get(`${a.model.name}|${a.image.key}`) ?? 0) + 1);
    }
    if (!refs && [...byKey.values()].every((n) => n < 2)) return dag;
    const signatures = computeSignatures(dag).signature;
    const imageKey = (a: VlmAction): string => JSON.stringify([a.model.name, a.model.version, a.model.endpoint, a.image.kind === 'object' ? a.image.key : `sig:${signatures.get(a.image.action) ?? a.image.action}`]);
    // Distinct calls per image: equal calls (same signature) are merkle_dedup's to merge whole.
    const calls = new Map<string, Set<string>>();
    for (const a of vlms) {
      const set = calls.get(imageKey(a)) ?? new Set<string>();
      set.add(signatures.get(a.id) ?? a.id);
      calls.set(imageKey(a), set);
    }
    const split = new Set(vlms.filter((a) => (calls.get(imageKey(a))?.size ?? 0) > 1).map((a) => a.id));
    if (split.size === 0) return dag;
    const actions: Action[] = [];
    for (const a of dag.actions) {
      if (a.kind !== 'vlm' || !split.has(a.id)) {
        actions.push(a);
        continue;
      }
      const encodeId: ActionId = `${a.id}${ENCODE_SUFFIX}`;
      actions.push(encodeOf(a, encodeId), reasonOf(a, encodeId));
    }
    return { ...dag, actions };
  },
};

function encodeOf(a: VlmAction, id: ActionId): VlmEncodeAction {
  const image: ImageInput = a.image;
  return {
    kind: 'vlm_encode', id, step: a.step, input: a.input, deps: image.kind === 'ref' ? [image.action] : [], model: a.model, image,
    ...(a.round !== undefined ? { round: a.round } : {}), ...(a.row !== undefined ? { row: a.row } : {}), ...(a.span ? { span: a.span } : {}),
    ...(a.origin ? { origin: a.origin } : {}),
  };
}

/** The reasoning half keeps the call's id, so its readers, outputs and provenance are unchanged. */
function reasonOf(a: VlmAction, encoded: ActionId): VlmReasonAction {
  const { image: _image, kind: _kind, ...rest } = a;
  return { ...rest, kind: 'vlm_reason', encoded, deps: [...a.deps, encoded] };
}
