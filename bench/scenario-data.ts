// The bench-only tables the scenarios read (bench/workloads/s*.sql), generated deterministically in
// DuckDB SQL when the bench lakehouse is prepared, never committed: S2's long documents and the
// questions about them. Same SQL, same bytes: the figures of two runs are the same.

/** Documents of S2 and the questions asked about each (questions interleave the documents). */
export const S2_DOCUMENTS = 4;
export const S2_QUESTIONS = 400;
/** Sentences per document: ~4,500 tokens each with the simulator's tokenizer (bench/README.md). */
export const S2_SENTENCES = 95;

const list = (xs: readonly string[]): string => `[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;
/** `list[(expr) % n + 1]` in DuckDB (lists are 1-based). */
const pick = (xs: readonly string[], expr: string): string => `${list(xs)}[(${expr}) % ${xs.length} + 1]`;

const COMPANIES = ['Arden Holdings', 'Belmont Logistics', 'Calder Therapeutics', 'Dunmore Energy'];
const METRICS = ['Revenue', 'Operating income', 'Gross margin', 'Net interest expense', 'Capital expenditure', 'Free cash flow', 'Inventory', 'Accounts receivable', 'Research and development spending', 'Selling, general and administrative expense'];
const SEGMENTS = ['North American', 'European', 'Asia-Pacific', 'Latin American', 'wholesale', 'retail', 'services'];
const MOVES = ['rose', 'fell', 'was broadly flat', 'recovered', 'declined sharply', 'improved'];
const REASONS = [
  'reflecting higher volumes in the second half',
  'as pricing pressure from larger competitors persisted',
  'after the company renegotiated two supply contracts',
  'owing mainly to currency movements',
  'which management attributes to the new distribution agreement',
  'despite a temporary plant closure in the third quarter',
  'as the restructuring program announced last year took effect',
  'because a large customer delayed orders into the next fiscal year',
];
const RISKS = [
  'The company notes that this trend may not continue.',
  'Management expects the effect to reverse within two years.',
  'The auditors drew attention to the related estimates.',
  'No covenant was breached as a result.',
  'The board reviewed the matter at its regular meeting.',
  'Comparable figures for the prior year have been restated.',
];

/** bench_documents(doc_id, company, body): S2_DOCUMENTS filings of S2_SENTENCES numbered sentences. */
export function documentsSql(): string {
  const sentence = [
    `'Section ' || (i // 10 + 1) || '.' || (i % 10 + 1) || '. '`,
    `${pick(METRICS, 'i * 7 + d * 3')} || ' in the ' || ${pick(SEGMENTS, 'i * 5 + d')} || ' segment ' || ${pick(MOVES, 'i * 3 + d * 11')}`,
    `' to ' || ((i * 37 + d * 101) % 900 + 100) || '.' || ((i * 13 + d) % 10) || ' million dollars in fiscal ' || (2019 + (i + d) % 5) || ', '`,
    `${pick(REASONS, 'i * 11 + d * 5')} || '. ' || ${pick(RISKS, 'i * 7 + d')}`,
  ].join(' || ');
  return [
    `SELECT d AS doc_id, ${pick(COMPANIES, 'd - 1')} AS company,`,
    `  'Annual report of ' || ${pick(COMPANIES, 'd - 1')} || ', management discussion and analysis.' || chr(10) || string_agg(${sentence}, chr(10) ORDER BY i) AS body`,
    `FROM range(1, ${S2_DOCUMENTS + 1}) a(d), range(0, ${S2_SENTENCES}) b(i)`,
    'GROUP BY d ORDER BY d',
  ].join('\n');
}

/** bench_questions(question_id, doc_id, question): S2_QUESTIONS questions, question k on document (k-1) % S2_DOCUMENTS + 1. */
export function questionsSql(): string {
  return [
    `SELECT k AS question_id, (k - 1) % ${S2_DOCUMENTS} + 1 AS doc_id,`,
    `  'What does section ' || ((k * 7) % ${Math.floor(S2_SENTENCES / 10)} + 1) || '.' || ((k * 3) % 10 + 1) || ' report about ' || lower(${pick(METRICS, 'k')}) || ' in the ' || ${pick(SEGMENTS, 'k // 4')} || ' segment, and ' || ${pick(['why', 'how large the change is', 'which fiscal year it concerns', 'what risk the company attaches to it'], 'k // 3')} || '?' AS question`,
    `FROM range(1, ${S2_QUESTIONS + 1}) q(k)`,
    'ORDER BY k',
  ].join('\n');
}

/** The tables to write, in order: name and query. */
export function scenarioTables(): readonly { readonly name: string; readonly sql: string }[] {
  return [
    { name: 'bench_documents', sql: documentsSql() },
    { name: 'bench_questions', sql: questionsSql() },
  ];
}
