// What one statement produced, and what a statement runs for and reports to.
import type { ActionEvent } from '../runtime/executor.ts';
import type { Progress, RunStats } from '../ir/run-stats.ts';
import type { Column, Value } from '../ir/values.ts';

/** What one statement produced. */
export type Outcome =
  | { readonly kind: 'ok'; readonly message: string }
  | { readonly kind: 'rows'; readonly columns: readonly Column[]; readonly rows: readonly (readonly Value[])[]; readonly stats?: RunStats }
  | { readonly kind: 'explain'; readonly text: string; readonly json: unknown };

/** What a statement runs for and reports to (all optional). */
export interface ExecContext {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Every finished action of a model statement (provenance's source), e.g. for bench/ figures. */
  readonly onEvent?: (e: ActionEvent) => void;
  /** The job and tenant of `agentlake serve`, recorded in provenance. */
  readonly job?: { readonly id: string; readonly tenant: string };
}
