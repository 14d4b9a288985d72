// Request bodies: read whole, up to a size limit (over it: 413, and the rest is drained, never
// buffered). Input is untrusted: anything malformed is a 400 here, never an exception further on.
import type { IncomingMessage } from 'node:http';
import { isPriority } from '../../jobs/job.ts';
import type { Priority } from '../../ir/common.ts';
import type { Value } from '../../ir/values.ts';
import { inputsReferences, INPUTS_TABLE } from '../../service/job-inputs.ts';
import { HttpError } from './errors.ts';

/** Reads the body as UTF-8, failing with 413 past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(HttpError.of(413, `the body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        parts.length = 0;
        reject(HttpError.of(413, `the body is over the limit of ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', (e) => reject(HttpError.of(400, `the body could not be read: ${e.message}`)));
  });
}

/** A job submission: SQL text, and the priority asked for (none: the statement's run_workflow priority, else medium). */
export interface Submission {
  readonly sql: string;
  readonly priority?: Priority;
  /** Values the script reads as table job_inputs (job-inputs.ts), cut into slices. */
  readonly inputs?: readonly Value[];
  /** Inputs per slice (default 1). */
  readonly sliceSize?: number;
}

/** Most inputs one job may carry. */
export const MAX_INPUTS = 100_000;

/**
 * The submission in a body: JSON `{ "sql": "...", "priority": "low" }` when the content type is
 * JSON, else the body is the SQL text (priority from `?priority=`).
 */
export function parseSubmission(body: string, contentType: string | undefined, query: URLSearchParams): Submission {
  const type = (contentType ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
  let sql: unknown;
  let priority: unknown = query.get('priority') ?? undefined;
  const extraFields: { inputs?: Value[]; sliceSize?: number } = {};
  if (type === 'application/json' || type.endsWith('+json')) {
    let json: unknown;
    try {
      json = JSON.parse(body) as unknown;
    } catch (e) {
      throw HttpError.of(400, `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw HttpError.of(400, 'the JSON body must be an object { "sql": "...", "priority"?: "high" | "medium" | "low", "inputs"?: [...], "slice_size"?: n }');
    const o = json as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['sql', 'priority', 'inputs', 'slice_size'].includes(k));
    if (extra.length > 0) throw HttpError.of(400, `unknown field '${extra[0] ?? ''}' in the JSON body (expected "sql", "priority", "inputs" and "slice_size")`);
    sql = o['sql'];
    if (o['priority'] !== undefined) priority = o['priority'];
    if (o['inputs'] !== undefined) {
      const inputs = o['inputs'];
      if (!Array.isArray(inputs) || inputs.length === 0) throw HttpError.of(400, '"inputs" is a non-empty array of values');
      if (inputs.length > MAX_INPUTS) throw HttpError.of(400, `"inputs" has ${inputs.length} values; a job takes at most ${MAX_INPUTS}`);
      extraFields.inputs = inputs as Value[];
    }
    if (o['slice_size'] !== undefined) {
      const n = o['slice_size'];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw HttpError.of(400, '"slice_size" is a whole number of inputs per slice, at least 1');
      if (extraFields.inputs === undefined) throw HttpError.of(400, '"slice_size" needs "inputs"');
      extraFields.sliceSize = n;
    }
  } else if (type === 'text/plain' || type === 'application/sql' || type === 'text/sql' || type === 'application/x-www-form-urlencoded' || type === '') {
    // curl --data sends form-urlencoded by default: the body is still the SQL text.
    sql = body;
  } else {
    throw new HttpError(415, { error: { code: 'H0415', message: `content type '${type}' is not accepted: send SQL as text/plain or JSON { "sql": ... }` } });
  }
  if (typeof sql !== 'string' || sql.trim() === '') throw HttpError.of(400, 'the job has no SQL: send the script as the body or as JSON { "sql": "..." }');
  if (priority !== undefined && !isPriority(priority)) throw HttpError.of(400, `priority is 'high', 'medium' or 'low', not '${String(priority)}'`);
  if (extraFields.inputs !== undefined && inputsReferences(sql).length === 0) throw HttpError.of(400, `the job has "inputs" but its SQL never reads the table ${INPUTS_TABLE}: each slice would run the whole script`);
  return { sql, ...(priority !== undefined ? { priority } : {}), ...extraFields };
}
