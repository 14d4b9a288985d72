// Jobs over inputs (ALGORITHMS.md §5 slicing): a job submitted with `inputs` reads them as the table
// `job_inputs(input, value)` (input: the value's index in the job, from 0). The manager cuts the job
// into slices; each slice runs the script with `job_inputs` holding its own inputs only: every bare
// `job_inputs` identifier of the script (outside strings, quoted names and comments) is renamed to
// a temporary table of the same name length (`ji_0000001`), so diagnostics keep their positions.
// The job's result is its slices' rows, in slice order.
import { fail } from '../diag/diagnostic.ts';
import { quoteIdent, type Database } from '../storage/duckdb.ts';
import type { Value } from '../ir/values.ts';
import { identifiers, renameIdentifiers, type Identifier } from '../sql/sql-text.ts';

export const INPUTS_TABLE = 'job_inputs';

/** A bare, unqualified `job_inputs` (any case): what a slice's table replaces. */
const isInputs = (id: Identifier): boolean => id.name === INPUTS_TABLE && !id.quoted && !id.qualified;

/** Offsets of every bare `job_inputs` identifier in `sql` (case-insensitive, not qualified). */
export function inputsReferences(sql: string): number[] {
  return identifiers(sql).filter(isInputs).map((id) => id.start);
}

/** `sql` with every bare `job_inputs` renamed to `name` (same length: positions do not move). */
export function renameInputs(sql: string, name: string): string {
  if (name.length !== INPUTS_TABLE.length) throw new RangeError(`an inputs table name has ${INPUTS_TABLE.length} characters, not '${name}'`);
  return renameIdentifiers(sql, (id) => (isInputs(id) ? name : undefined));
}

/** Temporary tables holding slices' inputs, named ji_0000001, ji_0000002, … */
export class InputTables {
  private next = 0;

  constructor(private readonly db: Database) {}

  /** Creates a table of (input, value) rows; `first` is the index of values[0] in the job. */
  async create(values: readonly Value[], first: number): Promise<string> {
    const name = `ji_${(++this.next).toString(36).padStart(7, '0')}`;
    const type = columnType(values);
    const rows = values.map((v, i) => `(${first + i}, ${literal(v, type)})`).join(', ');
    await this.db.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS SELECT input::BIGINT AS input, value::${type} AS value FROM (VALUES ${rows}) t(input, value)`);
    return name;
  }

  async drop(name: string): Promise<void> {
    await this.db.run(`DROP TABLE IF EXISTS temp.${quoteIdent(name)}`);
  }
}

/** One DuckDB type for every value: BIGINT, DOUBLE, BOOLEAN, VARCHAR, or JSON for anything mixed or nested. */
function columnType(values: readonly Value[]): string {
  const kinds = new Set(values.filter((v) => v !== null).map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'num') : typeof v === 'bigint' ? 'int' : typeof v)));
  if (kinds.size === 0) return 'VARCHAR';
  if ([...kinds].every((k) => k === 'int')) return 'BIGINT';
  if ([...kinds].every((k) => k === 'int' || k === 'num')) return 'DOUBLE';
  if (kinds.size === 1 && kinds.has('boolean')) return 'BOOLEAN';
  if (kinds.size === 1 && kinds.has('string')) return 'VARCHAR';
  return 'JSON';
}

function literal(v: Value, type: string): string {
  if (v === null) return 'NULL';
  const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  if (type === 'JSON') return quote(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return fail('E0001', `an input of type ${typeof v} cannot be a job input`);
}
