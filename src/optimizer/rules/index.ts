// The rewrite rules, in the order the driver applies them (then again, to a fixpoint).
// - node_absorption first: a format inlined into its readers makes two chains that differ only in
//   their formats' ids structurally equal, so merkle_dedup then merges them whole.
// - prefix_consolidation next: prompts (formats inlined) become one text run between references.
// - vlm_splitting next: VLM calls of one model on one image (by signature) share an encode action.
// - merkle_dedup last: it needs the final shape of every prompt to compare signatures, and it merges
//   the equal encodes vlm_splitting made.
import { merkleDedup } from './merkle-dedup.ts';
import { nodeAbsorption } from './node-absorption.ts';
import { prefixConsolidation } from './prefix-consolidation.ts';
import type { Rule } from './rule.ts';
import { vlmSplitting } from './vlm-splitting.ts';

export const RULES: readonly Rule[] = [nodeAbsorption, prefixConsolidation, vlmSplitting, merkleDedup];
