// A thin wrapper over @duckdb/node-api: one instance + connection, rows as plain JSON-safe values
// (BIGINT becomes a number when safe, else a string), extensions never auto-installed (offline).
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { resultBatches } from './arrow.ts';
import { toValue } from './duck-value.ts';
import type { Column, Params, Rows, Value } from '../ir/values.ts';

/** The result of parseSelect. */
export type ParsedSelect =
  | { readonly ok: true; readonly statements: readonly Record<string, unknown>[] }
  | { readonly ok: false; readonly message: string; readonly position?: number };

/**
 * One DuckDB database (in-memory or a file), one connection. Closing it while one of this wrapper's
 * statements still runs would end the process, so `close()` waits for them (`whenClosed()` tells
 * when it happened); statements started after `close()` fail.
 */
export class Database {
  private running = 0;
  private closing = false;
  private closedAt: Promise<void> | undefined;
  private markClosed: () => void = () => undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** While an appender is open: statements wait for it (see withAppender). */
  private appending: Promise<void> | undefined;
  /** Called when the last statement in flight ends. */
  private idle: (() => void)[] = [];

  /** Runs `fn` counted as a statement in flight. */
  private async tracked<T>(fn: () => Promise<T>): Promise<T> {
    while (this.appending) await this.appending;
    if (this.closing) throw new Error('the database is closed');
    this.running++;
    try {
      return await fn();
    } finally {
      if (--this.running === 0) {
        for (const wake of this.idle.splice(0)) wake();
        if (this.closing) this.closeNow();
      }
    }
  }

  /**
   * Appends to `table` through DuckDB's appender with no other statement of this wrapper on the
   * connection: DuckDB runs one query at a time per connection, and an append flushed while another
   * statement's query is pending closes one of them ("closed pending query result"). Waits for the
   * statements in flight, holds new ones until `fill` has run and the appender is flushed and closed.
   */
  async withAppender(table: string, schema: string, fill: (appender: DuckDBAppender) => void): Promise<void> {
    while (this.appending) await this.appending;
    let done: () => void = () => undefined;
    this.appending = new Promise<void>((resolve) => (done = resolve));
    try {
      if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      if (this.closing) throw new Error('the database is closed');
      const appender = await this.connection.createAppender(table, 'main', schema);
      try {
        fill(appender);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    } finally {
      this.appending = undefined;
      done();
    }
  }

  /** Opens (creating if needed) a database file, or ':memory:'. */
  static async open(path: string): Promise<Database> {
    const instance = await DuckDBInstance.create(path, {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    return new Database(instance, await instance.connect());
  }

  /** Runs a statement and returns all rows. */
  async query(sql: string, params?: Params): Promise<Rows> {
    const reader = await this.tracked(() => this.connection.runAndReadAll(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined));
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns = names.map((name, i) => ({ name, type: String(types[i]) }));
    return { columns, rows: reader.getRowsJS().map((r) => r.map((v, i) => toValue(v, columns[i]?.type))) };
  }

  /**
   * Runs a statement and streams its result as Arrow record batches, one per DuckDB chunk. The result
   * is materialized first, so other statements may run on this connection while it is read.
   */
  async *batches(sql: string, params?: Params): AsyncGenerator<RecordBatch> {
    yield* resultBatches(await this.tracked(() => this.connection.run(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined)));
  }

  /** Runs a statement and returns rows as objects keyed by column name. */
  async all(sql: string, params?: Params): Promise<Record<string, Value>[]> {
    const { columns, rows } = await this.query(sql, params);
    return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i] ?? null])));
  }

  /** Runs statements for their effect. */
  async run(sql: string, params?: Params): Promise<void> {
    await this.tracked(() => this.connection.run(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined));
  }

  /** Binds a query without running it: its result columns and parameter names. Throws DuckDB's error. */
  async describe(sql: string): Promise<{ columns: Column[]; params: string[] }> {
    const prepared = await this.tracked(() => this.connection.prepare(sql));
    const columns: Column[] = [];
    for (let i = 0; i < prepared.columnCount; i++) columns.push({ name: prepared.columnName(i), type: String(prepared.columnType(i)) });
    const params: string[] = [];
    for (let i = 1; i <= prepared.parameterCount; i++) params.push(prepared.parameterName(i));
    return { columns, params };
  }

  /**
   * DuckDB's own parse of a SELECT as JSON (json_serialize_sql). Locations that DuckDB writes as
   * 2^64-1 ("none") come back as -1.
   */
  async parseSelect(sql: string): Promise<ParsedSelect> {
    const reader = await this.tracked(() => this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]));
    const text = String(reader.getRowsJS()[0]?.[0] ?? '{}').replaceAll('18446744073709551615', '-1');
    const json = JSON.parse(text) as Record<string, unknown>;
    if (json['error'] === true) {
      const position = Number(json['position']);
      return { ok: false, message: String(json['error_message'] ?? 'syntax error'), ...(Number.isFinite(position) ? { position } : {}) };
    }
    return { ok: true, statements: (json['statements'] ?? []) as Record<string, unknown>[] };
  }

  /** Turns a JSON SELECT statement (as parseSelect returns them) back into SQL text. */
  async renderSelect(statement: Record<string, unknown>): Promise<string> {
    const json = JSON.stringify({ error: false, statements: [statement] }).replaceAll('"query_location":-1', '"query_location":18446744073709551615');
    const reader = await this.tracked(() => this.connection.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [json]));
    return String(reader.getRowsJS()[0]?.[0] ?? '');
  }

  /** Closes the database now, or once the statements in flight have ended. Closing twice is a no-op. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.closedAt = new Promise((resolve) => (this.markClosed = resolve));
    if (this.running === 0) this.closeNow();
  }

  /** Resolves once `close()` has taken effect (at once when close was never asked for). */
  whenClosed(): Promise<void> {
    return this.closedAt ?? Promise.resolve();
  }

  private closeNow(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    this.markClosed();
  }
}

/** Quotes an identifier for DuckDB. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for DuckDB. */
export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
