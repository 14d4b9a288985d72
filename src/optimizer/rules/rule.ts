// What a rewrite rule is: a named, pure ActionDag → ActionDag function (the same object when nothing
// changed). Rules that remove an action record which action now stands for it, so the runtime can
// give the removed action's readers (result assembly, provenance) the kept action's output.
import type { ActionDag, ActionId } from '../../ir/action-dag.ts';

/** What a rule may record while it rewrites. */
export interface RuleContext {
  /** `removed` is computed by `kept` (same output): its value is served from `kept`. */
  alias(removed: ActionId, kept: ActionId): void;
  /** `removed` is now computed inside `into` (its work folded into that action's prompt). */
  absorb(removed: ActionId, into: ActionId): void;
}

export interface Rule {
  /** snake_case, printed by EXPLAIN VERBOSE. */
  readonly name: string;
  /** Returns the SAME object when nothing changed. */
  apply(dag: ActionDag, ctx: RuleContext): ActionDag;
}
