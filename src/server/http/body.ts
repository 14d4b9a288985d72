// Request bodies: read whole, up to a size limit (over it: 413, and the rest is drained, never
// buffered). Input is untrusted: anything malformed is a 400 here, never an exception further on.
import type { IncomingMessage } from 'node:http';
import { isPriority, type Priority } from '../../jobs/job.ts';
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
}

/**
 * The submission in a body: JSON `{ "sql": "...", "priority": "low" }` when the content type is
 * JSON, else the body is the SQL text (priority from `?priority=`).
 */
export function parseSubmission(body: string, contentType: string | undefined, query: URLSearchParams): Submission {
  const type = (contentType ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
  let sql: unknown;
  let priority: unknown = query.get('priority') ?? undefined;
  if (type === 'application/json' || type.endsWith('+json')) {
    let json: unknown;
    try {
      json = JSON.parse(body) as unknown;
    } catch (e) {
      throw HttpError.of(400, `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw HttpError.of(400, 'the JSON body must be an object { "sql": "...", "priority"?: "high" | "medium" | "low" }');
    const o = json as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'sql' && k !== 'priority');
    if (extra.length > 0) throw HttpError.of(400, `unknown field '${extra[0] ?? ''}' in the JSON body (expected "sql" and "priority")`);
    sql = o['sql'];
    if (o['priority'] !== undefined) priority = o['priority'];
  } else if (type === 'text/plain' || type === 'application/sql' || type === 'text/sql' || type === 'application/x-www-form-urlencoded' || type === '') {
    // curl --data sends form-urlencoded by default: the body is still the SQL text.
    sql = body;
  } else {
    throw new HttpError(415, { error: { code: 'H0415', message: `content type '${type}' is not accepted: send SQL as text/plain or JSON { "sql": ... }` } });
  }
  if (typeof sql !== 'string' || sql.trim() === '') throw HttpError.of(400, 'the job has no SQL: send the script as the body or as JSON { "sql": "..." }');
  if (priority !== undefined && !isPriority(priority)) throw HttpError.of(400, `priority is 'high', 'medium' or 'low', not '${String(priority)}'`);
  return { sql, ...(priority !== undefined ? { priority } : {}) };
}
