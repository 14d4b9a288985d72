// The benchmark's workloads: the six paper workflows (catalog/workflows) applied to the first N rows
// of their natural input table (ORDER BY the key) through the lateral form, and the cross-tenant
// statements (Q1 and bench/workloads/q2_text.sql over the same symbols, together or one by one).

/** One paper workflow and where its inputs come from. */
export interface Workload {
  /** Q1..Q6. */
  readonly id: string;
  /** Catalog workflow name. */
  readonly workflow: string;
  /** Natural input table and its key (the workflow's only parameter). */
  readonly table: string;
  readonly key: string;
  /** Input counts of the full matrix. */
  readonly inputs: readonly number[];
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'Q1', workflow: 'q1_social', table: 'symbols', key: 'symbol', inputs: [40, 160] },
  { id: 'Q2', workflow: 'q2_trading', table: 'symbols', key: 'symbol', inputs: [40, 160] },
  { id: 'Q3', workflow: 'q3_imagegen', table: 'symbols', key: 'symbol', inputs: [40, 160] },
  { id: 'Q4', workflow: 'q4_summary', table: 'symbols', key: 'symbol', inputs: [40, 160] },
  { id: 'Q5', workflow: 'q5_healthcare', table: 'patients', key: 'patient_id', inputs: [40, 320] },
  { id: 'Q6', workflow: 'q6_materials', table: 'spectra', key: 'spectrum_id', inputs: [40, 160] },
];

/** `SELECT s.key, t.* FROM (first n inputs) s, workflow(s.key) t`. */
export function workloadStatement(w: Pick<Workload, 'workflow' | 'table' | 'key'>, n: number): string {
  return `SELECT s.${w.key}, t.* FROM (SELECT ${w.key} FROM ${w.table} ORDER BY ${w.key} LIMIT ${n}) s, ${w.workflow}(s.${w.key}) t;`;
}

/** The two tenants of the cross-tenant case. */
export const TENANTS = {
  q1: { workflow: 'q1_social', table: 'symbols', key: 'symbol' },
  q2Text: { workflow: 'q2_text', table: 'symbols', key: 'symbol' },
} as const;

/**
 * Both tenants' call sites in ONE statement (so they are planned and run as one batch): a row per
 * (tenant, symbol) with a text column from each workflow's result.
 */
export function togetherStatement(n: number): string {
  const inputs = `(SELECT symbol FROM symbols ORDER BY symbol LIMIT ${n}) s`;
  return [
    `SELECT 'q1_social' AS tenant, s.symbol, t.summary AS text FROM ${inputs}, q1_social(s.symbol) t`,
    `UNION ALL`,
    `SELECT 'q2_text' AS tenant, s.symbol, t.rationale AS text FROM ${inputs}, q2_text(s.symbol) t;`,
  ].join('\n');
}
