// The rewrite rules, in the order the driver applies them (then again, to a fixpoint).
// - node_absorption first: a format inlined into its readers makes two chains that differ only in
//   their formats' ids structurally equal, so merkle_dedup then merges them whole.
// - merkle_dedup last: it needs the final shape of every prompt to compare signatures.
import { merkleDedup } from './merkle-dedup.ts';
import { nodeAbsorption } from './node-absorption.ts';
import type { Rule } from './rule.ts';

export const RULES: readonly Rule[] = [nodeAbsorption, merkleDedup];
