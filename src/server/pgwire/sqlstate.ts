// agentlake diagnostics as ErrorResponse fields: SQLSTATE by code, message with notes, help as the
// hint, and the position field (1-based character position of the span's start in the query string).
import { InternalError, UserError, type Diagnostic } from '../../diag/diagnostic.ts';
import type { ErrorFields } from './protocol.ts';

/** Exact codes first, then by stage letter. */
const EXACT: Readonly<Record<string, string>> = {
  B0401: '42P01', // undefined_table
  B0402: '42703', // undefined_column
  B0403: '42883', // undefined_function
  B0102: '42704', // unknown model: undefined_object
  B0301: '42704', // unknown type
  B0131: '22023', // invalid_parameter_value
  B0132: '42704', // unknown setting
  E0002: '57014', // query_canceled
  E0101: '22000', // data_exception
};

/** The SQLSTATE for an agentlake diagnostic code. */
export function sqlstateOf(code: string): string {
  const exact = EXACT[code];
  if (exact) return exact;
  switch (code[0]) {
    case 'P':
      return '42601'; // syntax_error
    case 'B':
      return '42000'; // syntax_error_or_access_rule_violation
    case 'G':
      return '42501'; // insufficient_privilege
    case 'O':
      return '54000'; // program_limit_exceeded
    case 'E':
      return '58000'; // system_error (a model call or an object read failed)
    default:
      return 'XX000';
  }
}

/** 1-based position in characters (code points) of UTF-16 offset `offset` in `text`. */
export function charPosition(text: string, offset: number): number {
  return [...text.slice(0, Math.max(0, Math.min(offset, text.length)))].length + 1;
}

/**
 * ErrorResponse fields for an error thrown while running a statement of the client's query string
 * `query`; `toQuery` maps an offset in the statement the executor saw to an offset in `query`.
 */
export function errorFields(e: unknown, query: string, toQuery: (offset: number) => number): ErrorFields {
  if (e instanceof UserError && e.diagnostics.length > 0) {
    const d = e.diagnostics[0] as Diagnostic;
    const others = e.diagnostics.slice(1).map((x) => `${x.code}: ${x.message}`);
    const notes = [...(d.notes ?? []), ...others];
    return {
      severity: 'ERROR',
      code: sqlstateOf(d.code),
      message: `${d.message} [${d.code}]`,
      ...(notes.length > 0 ? { detail: notes.join('\n') } : {}),
      ...(d.help !== undefined ? { hint: d.help } : {}),
      ...(d.span !== undefined ? { position: charPosition(query, toQuery(d.span.start)) } : {}),
    };
  }
  if (e instanceof Error && e.name === 'AbortError') return { severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' };
  const message = e instanceof InternalError ? e.message : e instanceof Error ? e.message : String(e);
  return { severity: 'ERROR', code: 'XX000', message: `internal error: ${message}`, hint: 'this is a bug in agentlake, not in your SQL; please report it' };
}
