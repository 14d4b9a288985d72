// The benchmark's workloads: the six paper workflows (catalog/workflows) at the paper's scale, applied
// to the first N rows of their natural input table (ORDER BY the key) through the lateral form; the
// scenarios S1-S5 (bench/workloads/s*.sql), each isolating one mechanism; and the cross-tenant
// statements (Q1 and bench/workloads/q2_text.sql over the same symbols, together or one by one).

/** One workload of the matrix: a paper workflow (Q1-Q6) or a scenario (S1-S5). */
export interface Workload {
  /** Q1..Q6, S1..S5. */
  readonly id: string;
  readonly group: 'paper' | 'scenario';
  /** A few words: what it is (paper workflows) or what it isolates (scenarios). */
  readonly title: string;
  /** Inputs of the full run (the paper's counts where it states them). */
  readonly inputs: number;
  /** What one input is (symbols, patients, questions...). */
  readonly unit: string;
  /** The statement over the first `n` inputs. */
  readonly statement: (n: number) => string;
}

/** `SELECT s.key, t.* FROM (first n inputs) s, workflow(s.key) t`. */
export function workloadStatement(w: { readonly workflow: string; readonly table: string; readonly key: string }, n: number): string {
  return `SELECT s.${w.key}, t.* FROM (SELECT ${w.key} FROM ${w.table} ORDER BY ${w.key} LIMIT ${n}) s, ${w.workflow}(s.${w.key}) t;`;
}

const onSymbols = (workflow: string) => (n: number): string => workloadStatement({ workflow, table: 'symbols', key: 'symbol' }, n);

/**
 * S2: the first n questions (they interleave the documents) with their document:
 * `... FROM questions q JOIN bench_documents d ..., s2_document_qa(d.body, q.question) t`.
 */
function documentQa(n: number): string {
  return `SELECT q.question_id, t.* FROM (SELECT question_id, doc_id, question FROM bench_questions ORDER BY question_id LIMIT ${n}) q JOIN bench_documents d ON d.doc_id = q.doc_id, s2_document_qa(d.body, q.question) t;`;
}

/**
 * S4: three desks' call sites in ONE statement over overlapping thirds of the first n symbols (by
 * rank r): credit r ≤ 3n/4, equity r > n/4, compliance r ≤ n/4 or r > n/2; every symbol is on two
 * or three desks.
 */
export function tenantsStatement(n: number): string {
  const q = Math.floor(n / 4);
  const ranked = `(SELECT symbol, row_number() OVER (ORDER BY symbol) AS r FROM (SELECT symbol FROM symbols ORDER BY symbol LIMIT ${n}))`;
  const desk = (name: string, workflow: string, where: string): string => `SELECT '${name}' AS desk, s.symbol, t.* FROM (SELECT symbol FROM ${ranked} WHERE ${where}) s, ${workflow}(s.symbol) t`;
  return [
    desk('credit', 's4_credit_desk', `r <= ${3 * q}`),
    'UNION ALL',
    desk('equity', 's4_equity_desk', `r > ${q}`),
    'UNION ALL',
    `${desk('compliance', 's4_compliance_desk', `r <= ${q} OR r > ${2 * q}`)};`,
  ].join('\n');
}

const paper = (id: string, workflow: string, table: string, key: string, inputs: number, title: string, unit: string): Workload => ({
  id, group: 'paper', title, inputs, unit, statement: (n) => workloadStatement({ workflow, table, key }, n),
});

/** Q1-Q6 at the paper's scale (§2.1 and §4: 160 symbols, 320 patients, 160 spectra; Q3 and Q4 unstated, 160). */
export const PAPER_WORKLOADS: readonly Workload[] = [
  paper('Q1', 'q1_social', 'symbols', 'symbol', 160, 'Q1-Social: analyst roundtable (text only)', 'symbols'),
  paper('Q2', 'q2_trading', 'symbols', 'symbol', 160, 'Q2-Trading: TradingAgents with chart VLM', 'symbols'),
  paper('Q3', 'q3_imagegen', 'symbols', 'symbol', 160, 'Q3-ImageGen: news to infographic (diffusion + VLM)', 'symbols'),
  paper('Q4', 'q4_summary', 'symbols', 'symbol', 160, 'Q4-Summary: chart VLM + three reflection branches', 'symbols'),
  paper('Q5', 'q5_healthcare', 'patients', 'patient_id', 320, 'Q5-Healthcare: six specialists + debate', 'patients'),
  paper('Q6', 'q6_materials', 'spectra', 'spectrum_id', 160, 'Q6-Materials: three expert branches + debate', 'spectra'),
];

/** S1-S5: one mechanism each (bench/workloads/s*.sql says what and why). */
export const SCENARIOS: readonly Workload[] = [
  { id: 'S1', group: 'scenario', title: 'multi-model phases: qwen3_8b → qwen3_32b → qwen2_vl → qwen3_8b → qwen3_32b → qwen3_8b per input', inputs: 160, unit: 'symbols', statement: onSymbols('s1_phases') },
  { id: 'S2', group: 'scenario', title: 'long shared prefixes under KV pressure: questions over 4 documents of ~4,500 tokens, qwen3_32b', inputs: 400, unit: 'questions', statement: documentQa },
  { id: 'S3', group: 'scenario', title: 'more models than GPUs: five models (qwen3_8b, qwen3_32b, llava, qwen2_vl, mistral 7B) on four GPUs', inputs: 160, unit: 'symbols', statement: onSymbols('s3_five_models') },
  { id: 'S4', group: 'scenario', title: 'overlapping tenants: three desks, one shared dossier stage, overlapping symbols, one batch', inputs: 160, unit: 'symbols', statement: tenantsStatement },
  { id: 'S5', group: 'scenario', title: 'single-model DAG: fan-out over 6 stories + chain, all qwen3_8b (router\'s best case)', inputs: 160, unit: 'symbols', statement: onSymbols('s5_single_model') },
];

export const WORKLOADS: readonly Workload[] = [...PAPER_WORKLOADS, ...SCENARIOS];

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
