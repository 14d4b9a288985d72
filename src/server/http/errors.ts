// HTTP API errors: one JSON shape, `{ "error": { "code", "message", "position"? } }`. Failed jobs
// answer with their diagnostic's code (P…, B…, E…); problems with the request itself have H codes
// named after their status.
import { charPosition } from '../pgwire/sqlstate.ts';
import { lineCol } from '../../diag/span.ts';
import type { Diagnostic } from '../../diag/diagnostic.ts';

/** Request-level codes by HTTP status. */
export const HTTP_CODES = {
  400: 'H0400', // malformed request (body, JSON, parameters)
  401: 'H0401', // missing or wrong credentials
  404: 'H0404', // no such route, or no such job for this tenant
  405: 'H0405', // method not allowed on the route
  406: 'H0406', // unknown result format
  409: 'H0409', // the job has no result (yet)
  410: 'H0410', // the job's result is no longer kept
  413: 'H0413', // body too large
  415: 'H0415', // unsupported content type
  500: 'H0500', // internal error
} as const;

export type HttpStatus = keyof typeof HTTP_CODES;

/** The JSON error body. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly position?: number; readonly line?: number; readonly column?: number; readonly help?: string };
}

/** An error answered with `status` and a JSON error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.error.message);
  }

  /** A request-level error with the status's H code. */
  static of(status: HttpStatus, message: string, headers: Readonly<Record<string, string>> = {}): HttpError {
    return new HttpError(status, { error: { code: HTTP_CODES[status], message } }, headers);
  }
}

/** A diagnostic as an error body; `position` is 1-based in characters of `sql`, like pgwire's. */
export function diagnosticBody(d: Diagnostic, sql: string): ErrorBody {
  const at = d.span ? lineCol(sql, d.span.start) : undefined;
  return {
    error: {
      code: d.code,
      message: d.message,
      ...(d.span && at ? { position: charPosition(sql, d.span.start), line: at.line, column: at.col } : {}),
      ...(d.help !== undefined ? { help: d.help } : {}),
    },
  };
}
