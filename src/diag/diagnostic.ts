// User-facing errors: one shape for every stage (P parse, B bind, O optimize, E execute, G governance).
// A UserError carries one or more diagnostics; InternalError is a bug in agentlake, never the user's fault.
import type { Span } from './span.ts';

/** One user-facing problem. Messages are lowercase, identifiers in quotes. */
export interface Diagnostic {
  readonly code: string;
  readonly message: string;
  readonly span?: Span;
  readonly notes?: readonly string[];
  readonly help?: string;
}

/** Builds a diagnostic, leaving out absent optional fields (exactOptionalPropertyTypes). */
export function diag(
  code: string,
  message: string,
  span?: Span,
  extra: { notes?: readonly string[]; help?: string | undefined } = {},
): Diagnostic {
  return {
    code,
    message,
    ...(span ? { span } : {}),
    ...(extra.notes && extra.notes.length > 0 ? { notes: extra.notes } : {}),
    ...(extra.help ? { help: extra.help } : {}),
  };
}

/** Thrown for bad input. Carries every diagnostic found, in source order. */
export class UserError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'UserError';
    this.diagnostics = [...diagnostics].sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  }
}

/** Thrown when agentlake itself is wrong (an invariant broke). Exit code 2, SQLSTATE XX000. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** Throws a UserError with a single diagnostic. */
export function fail(code: string, message: string, span?: Span, extra?: { notes?: readonly string[]; help?: string | undefined }): never {
  throw new UserError([diag(code, message, span, extra)]);
}

/** Collects diagnostics across a pass; `throwIfAny` raises them together. */
export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.items.push(d);
  }
  error(code: string, message: string, span?: Span, extra?: { notes?: readonly string[]; help?: string | undefined }): void {
    this.items.push(diag(code, message, span, extra));
  }
  /** Runs `fn`, turning a thrown UserError into collected diagnostics (to keep going after one error). */
  capture<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UserError) {
        for (const d of e.diagnostics) this.items.push(d);
        return undefined;
      }
      throw e;
    }
  }
  /** Async form of `capture`. */
  async captureAsync<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof UserError) {
        for (const d of e.diagnostics) this.items.push(d);
        return undefined;
      }
      throw e;
    }
  }
  get size(): number {
    return this.items.length;
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw new UserError(this.items);
  }
}
