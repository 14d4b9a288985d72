// Q5-Healthcare's specialists cross-reference the shared micro-reviews: lowered over two patients and
// deduplicated, the six micro-reviews are six actions for the whole batch, and all twelve specialist
// calls start with the same system prompt and the same six checklist references (a long prefix every
// specialist call of every patient shares), before anything of the patient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/engine/session.ts';
import type { Action, PromptSegment } from '../../src/ir/action-dag.ts';
import { dedupDag } from '../../src/optimizer/signatures.ts';
import { demoSession } from '../helpers/lakehouse.ts';
import { lowerFirstSite } from '../helpers/lower.ts';

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await demoSession());
});
afterAll(() => dispose());

const REVIEWS = ['review_densitometry', 'review_fracture_risk', 'review_secondary_causes', 'review_pharmacotherapy', 'review_nutrition', 'review_falls'];

describe('q5_healthcare specialists', () => {
  it('share the system prompt and all six checklists as the first part of every prompt', async () => {
    const lowered = await lowerFirstSite(session, 'SELECT p.patient_id, t.* FROM (SELECT patient_id FROM patients ORDER BY patient_id LIMIT 2) p, q5_healthcare(p.patient_id) t');
    const { dag } = dedupDag(lowered);
    const byId = new Map(dag.actions.map((a) => [a.id, a]));
    const reviews = dag.actions.filter((a) => REVIEWS.includes(a.step));
    // Static text only: one call per micro-review for the whole batch.
    expect(reviews.map((a) => a.step)).toEqual(REVIEWS);

    const specialists = dag.actions.filter((a): a is Extract<Action, { kind: 'llm' }> => a.kind === 'llm' && a.step.endsWith('_specialist'));
    expect(specialists).toHaveLength(2 * 6);
    const first = specialists[0];
    if (!first) throw new Error('no specialist');
    // The shared prefix: everything before the first segment that reads the patient's record.
    const prefixOf = (prompt: readonly PromptSegment[]): readonly PromptSegment[] => prompt.slice(0, prompt.findIndex((s) => s.kind === 'ref' && byId.get(s.action)?.step === 'record'));
    const prefix = prefixOf(first.prompt);
    const reads = prefix.flatMap((s) => (s.kind === 'ref' ? [byId.get(s.action)?.step] : []));
    expect(reads).toEqual(REVIEWS);
    for (const a of specialists) {
      expect(a.system).toEqual(first.system);
      expect(prefixOf(a.prompt)).toEqual(prefix);
    }
    expect(new Set(specialists.map((a) => a.input))).toEqual(new Set([0, 1]));
  });
});
