// One client connection after authentication: the simple and extended query protocols, cancel
// targets, notices while a statement runs. Every message handler is wrapped: a bad statement is an
// ErrorResponse, a malformed message a FATAL 08P01 that closes only this connection.
import { UserError, diag } from '../../diag/diagnostic.ts';
import type { Column } from '../../ir/values.ts';
import type { QueryContext, QueryExecutor, QueryResult } from './executor.ts';
import { PgSettings, SettingError } from './pg-settings.ts';
import { pgType, textValue, OID } from './pg-types.ts';
import { ParameterError, parameterLiteral } from './parameters.ts';
import type { PgCatalog } from './pg-catalog.ts';
import * as msg from './protocol.ts';
import { MessageReader, ProtocolViolation } from './protocol.ts';
import { errorFields } from './sqlstate.ts';
import { parameterCount, splitStatements, substituteParameters } from '../../sql/sql-text.ts';
import { commandTag, firstWords } from './command-tag.ts';
import { withNotices } from './with-notices.ts';

/** A prepared statement (Parse). */
interface Prepared {
  readonly query: string;
  readonly paramOids: readonly number[];
}

/** A bound portal (Bind): the statement with its parameters substituted. */
interface Portal {
  readonly query: string;
  readonly sql: string;
  readonly toQuery: (offset: number) => number;
  result?: QueryResult;
  /** The row shape a Describe promised without running ([] = NoData); Execute must match it. */
  described?: readonly Column[];
  sent: number;
}

/** What a connection needs from its server. */
export interface ConnectionDeps {
  readonly executor: QueryExecutor;
  readonly catalog: PgCatalog;
  readonly user: string;
  readonly tenant: string;
  readonly agentlakeVersion: string;
  readonly startupParams: Readonly<Record<string, string>>;
  /** Ends the connection (after what was written so far). */
  readonly close: () => void;
}

/** An error answered with an ErrorResponse (statement-level; the connection stays). */
class StatementError extends Error {
  constructor(readonly fields: msg.ErrorFields) {
    super(fields.message);
  }
}

const ROWS_PER_WRITE = 256;

export class PgConnection {
  readonly settings: PgSettings;
  private readonly prepared = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  private txStatus: 'I' | 'T' | 'E' = 'I';
  /** After an error in the extended protocol, messages up to Sync are skipped. */
  private skipToSync = false;
  private current: AbortController | undefined;
  private closed = false;
  /** The executor's per-connection values (QueryContext.vars). */
  private readonly vars = new Map<string, string>();

  constructor(private readonly deps: ConnectionDeps) {
    this.settings = new PgSettings(deps.user, deps.agentlakeVersion, deps.startupParams);
  }

  /** Aborts the running statement (CancelRequest, client gone). */
  cancel(reason: unknown = new UserError([diag('E0002', 'canceling statement due to user request')])): void {
    this.current?.abort(reason);
  }

  /** The client went away: stop what runs. */
  dispose(): void {
    this.closed = true;
    this.cancel();
  }

  /** Handles one regular message (type byte, length, body); yields the bytes to send. */
  async *handle(message: Uint8Array): AsyncGenerator<Uint8Array> {
    if (this.closed) return;
    const type = String.fromCharCode(message[0] ?? 0);
    const body = new MessageReader(message.subarray(5));
    try {
      if (this.skipToSync && type !== 'S' && type !== 'X') return;
      switch (type) {
        case 'Q':
          yield* this.simpleQuery(body.cstring());
          return;
        case 'P':
          yield* this.parse(body);
          return;
        case 'B':
          yield* this.bind(body);
          return;
        case 'D':
          yield* this.describe(body);
          return;
        case 'E':
          yield* this.execute(body);
          return;
        case 'C':
          yield* this.closeTarget(body);
          return;
        case 'S':
          this.skipToSync = false;
          this.portals.delete('');
          yield msg.readyForQuery(this.txStatus);
          return;
        case 'H':
          return;
        case 'X':
          this.closed = true;
          this.deps.close();
          return;
        case 'F':
          throw new StatementError({ severity: 'ERROR', code: '0A000', message: 'the function call protocol is not supported' });
        case 'd':
        case 'c':
        case 'f':
          // COPY data outside COPY FROM STDIN: PostgreSQL ignores it too.
          return;
        default:
          throw new ProtocolViolation(`invalid frontend message type ${message[0] ?? 0}`);
      }
    } catch (e) {
      if (e instanceof ProtocolViolation || !(e instanceof StatementError)) {
        const fatal = e instanceof ProtocolViolation;
        yield msg.errorResponse({ severity: 'FATAL', code: fatal ? '08P01' : 'XX000', message: fatal ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}` });
        this.closed = true;
        this.deps.close();
        return;
      }
      yield msg.errorResponse(e.fields);
      if (type === 'Q') yield msg.readyForQuery(this.txStatus);
      else this.skipToSync = true;
    }
  }

  private async *simpleQuery(query: string): AsyncGenerator<Uint8Array> {
    const stmts = splitStatements(query);
    if (stmts.length === 0) yield msg.emptyQueryResponse();
    for (const stmt of stmts) {
      try {
        const result = yield* this.run(stmt.text, (o) => stmt.start + o, query);
        yield* this.sendResult(result, stmt.text, 0, 0, true);
      } catch (e) {
        if (!(e instanceof StatementError)) throw e;
        yield msg.errorResponse(e.fields);
        break;
      }
    }
    this.portals.delete('');
    yield msg.readyForQuery(this.txStatus);
  }

  private *parse(body: MessageReader): Generator<Uint8Array> {
    const name = body.cstring();
    const query = body.cstring();
    const n = body.int16();
    if (n < 0) throw new ProtocolViolation('negative parameter type count');
    const paramOids: number[] = [];
    for (let i = 0; i < n; i++) paramOids.push(body.int32());
    if (name !== '' && this.prepared.has(name)) throw new StatementError({ severity: 'ERROR', code: '42P05', message: `prepared statement "${name}" already exists` });
    if (splitStatements(query).length > 1) throw new StatementError({ severity: 'ERROR', code: '42601', message: 'cannot insert multiple commands into a prepared statement' });
    this.prepared.set(name, { query, paramOids });
    yield msg.parseComplete();
  }

  private *bind(body: MessageReader): Generator<Uint8Array> {
    const portalName = body.cstring();
    const stmtName = body.cstring();
    const nFormats = body.int16();
    if (nFormats < 0) throw new ProtocolViolation('negative format count');
    const formats: number[] = [];
    for (let i = 0; i < nFormats; i++) formats.push(body.int16());
    const nParams = body.int16();
    if (nParams < 0) throw new ProtocolViolation('negative parameter count');
    const values: (Uint8Array | null)[] = [];
    for (let i = 0; i < nParams; i++) {
      const len = body.int32();
      if (len < -1) throw new ProtocolViolation('invalid parameter length');
      values.push(len === -1 ? null : body.bytesOf(len));
    }
    const nResult = body.int16();
    if (nResult < 0) throw new ProtocolViolation('negative result format count');
    const resultFormats: number[] = [];
    for (let i = 0; i < nResult; i++) resultFormats.push(body.int16());
    const stmt = this.prepared.get(stmtName);
    if (!stmt) throw new StatementError({ severity: 'ERROR', code: '26000', message: `prepared statement "${stmtName}" does not exist` });
    if (nFormats > 1 && nFormats !== nParams) throw new ProtocolViolation(`bind message has ${nFormats} parameter formats but ${nParams} parameters`);
    const wanted = parameterCount(stmt.query);
    if (nParams !== wanted) throw new StatementError({ severity: 'ERROR', code: '08P01', message: `bind message supplies ${nParams} parameters, but prepared statement "${stmtName}" requires ${wanted}` });
    if (resultFormats.some((f) => f !== 0)) throw new StatementError({ severity: 'ERROR', code: '0A000', message: 'binary result format is not supported: request results in text format' });
    let literals: string[];
    try {
      literals = values.map((v, i) => parameterLiteral(v, nFormats === 1 ? (formats[0] ?? 0) : (formats[i] ?? 0), stmt.paramOids[i] ?? 0, i + 1));
    } catch (e) {
      if (e instanceof ParameterError) throw new StatementError({ severity: 'ERROR', code: e.sqlstate, message: e.message });
      throw e;
    }
    const { text, toOriginal } = substituteParameters(stmt.query, literals);
    const lead = text.length - text.trimStart().length;
    this.portals.set(portalName, { query: stmt.query, sql: text.trim(), toQuery: (o) => toOriginal(lead + o), sent: 0 });
    yield msg.bindComplete();
  }

  private async *describe(body: MessageReader): AsyncGenerator<Uint8Array> {
    const kind = String.fromCharCode(body.byte());
    const name = body.cstring();
    if (kind === 'S') {
      const stmt = this.prepared.get(name);
      if (!stmt) throw new StatementError({ severity: 'ERROR', code: '26000', message: `prepared statement "${name}" does not exist` });
      const n = parameterCount(stmt.query);
      yield msg.parameterDescription(Array.from({ length: n }, (_, i) => stmt.paramOids[i] || OID.text));
      const probe = substituteParameters(stmt.query, Array.from({ length: n }, () => 'NULL')).text.trim();
      const columns = await this.shapeOf(probe);
      yield columns && columns.length > 0 ? this.rowDescription(columns) : msg.noData();
      return;
    }
    if (kind !== 'P') throw new ProtocolViolation(`invalid Describe target '${kind}'`);
    const portal = this.portals.get(name);
    if (!portal) throw new StatementError({ severity: 'ERROR', code: '34000', message: `portal "${name}" does not exist` });
    if (portal.result === undefined && portal.described === undefined) {
      const shape = await this.shapeOf(portal.sql);
      if (shape) portal.described = shape;
      // Only running tells the shape (model calls, catalog answers, SHOW, EXPLAIN): Execute then
      // sends the kept result.
      else portal.result = yield* this.run(portal.sql, portal.toQuery, portal.query);
    }
    const columns = portal.described ?? (portal.result?.kind === 'rows' ? portal.result.columns : []);
    yield columns.length > 0 ? this.rowDescription(columns) : msg.noData();
  }

  /**
   * A statement's row shape without running it ([] = no rows), or undefined when only running it
   * can tell. Trusted only where the executor's describe is the whole story: a plain read query
   * (SELECT/WITH/VALUES/FROM/TABLE) DuckDB can prepare, or INSERT/UPDATE/DELETE (no rows: agentlake
   * has no RETURNING). Statements answered here (settings, catalog queries) are never described.
   */
  private async shapeOf(sql: string): Promise<readonly Column[] | undefined> {
    if (sql === '') return [];
    const keyword = firstWords(sql);
    const read = /^(SELECT|WITH|VALUES|FROM|TABLE)\b/.test(keyword);
    const write = /^(INSERT|UPDATE|DELETE)\b/.test(keyword) && !/\bRETURNING\b/i.test(sql);
    if ((!read && !write) || !this.deps.executor.describe || this.deps.catalog.recognizes(sql)) return undefined;
    // version() and current_setting() are SELECTs answered by PgSettings (pure: no SET among them).
    if (read && this.settings.answer(sql) !== undefined) return undefined;
    let columns: readonly Column[] | undefined;
    try {
      columns = await this.deps.executor.describe(sql, { user: this.deps.user, tenant: this.deps.tenant, signal: new AbortController().signal });
    } catch {
      return undefined;
    }
    if (!columns) return undefined;
    if (write) return [];
    return columns.length > 0 ? columns : undefined;
  }

  private async *execute(body: MessageReader): AsyncGenerator<Uint8Array> {
    const name = body.cstring();
    const maxRows = body.int32();
    const portal = this.portals.get(name);
    if (!portal) throw new StatementError({ severity: 'ERROR', code: '34000', message: `portal "${name}" does not exist` });
    if (portal.sql === '') {
      yield msg.emptyQueryResponse();
      return;
    }
    portal.result ??= yield* this.run(portal.sql, portal.toQuery, portal.query);
    const result = portal.result;
    if (portal.described && !sameShape(portal.described, result)) {
      throw new StatementError({ severity: 'ERROR', code: 'XX000', message: 'internal error: the statement\'s result columns differ from the row description sent for it' });
    }
    const total = result.kind === 'rows' ? result.rows.length : 0;
    const end = maxRows > 0 ? Math.min(total, portal.sent + maxRows) : total;
    yield* this.sendResult(result, portal.sql, portal.sent, end, false);
    portal.sent = end;
    if (end < total) yield msg.portalSuspended();
  }

  private *closeTarget(body: MessageReader): Generator<Uint8Array> {
    const kind = String.fromCharCode(body.byte());
    const name = body.cstring();
    if (kind === 'S') this.prepared.delete(name);
    else if (kind === 'P') this.portals.delete(name);
    else throw new ProtocolViolation(`invalid Close target '${kind}'`);
    yield msg.closeComplete();
  }

  /**
   * Runs one statement: PostgreSQL settings and psql's catalog queries here, the rest on the
   * executor. Yields notices while it runs; throws StatementError.
   */
  private async *run(sql: string, toQuery: (o: number) => number, query: string): AsyncGenerator<Uint8Array, QueryResult> {
    let local;
    try {
      local = this.settings.answer(sql);
    } catch (e) {
      if (e instanceof SettingError) throw new StatementError({ severity: 'ERROR', code: e.sqlstate, message: e.message });
      throw e;
    }
    if (local) {
      for (const [k, v] of local.report ?? []) yield msg.parameterStatus(k, v);
      return local.result;
    }
    const ctrl = new AbortController();
    this.current = ctrl;
    const timeoutMs = this.settings.statementTimeoutMs();
    const timer = timeoutMs > 0 ? setTimeout(() => ctrl.abort(new UserError([diag('E0002', 'canceling statement due to statement timeout')])), timeoutMs) : undefined;
    const keyword = firstWords(sql);
    try {
      const result = yield* withNotices((notice) => {
        const ctx: QueryContext = { user: this.deps.user, tenant: this.deps.tenant, signal: ctrl.signal, notice, vars: this.vars };
        return this.deps.catalog.answer(sql, (q) => this.deps.executor.run(q, { ...ctx, notice: () => undefined }), this.deps.user).then((r) => r ?? this.deps.executor.run(sql, ctx));
      });
      if (/^(BEGIN|START TRANSACTION)/.test(keyword)) this.txStatus = 'T';
      else if (/^(COMMIT|END|ROLLBACK|ABORT)/.test(keyword)) this.txStatus = 'I';
      return result;
    } catch (e) {
      if (this.txStatus === 'T') this.txStatus = 'E';
      if (/^(ROLLBACK|ABORT)/.test(keyword)) this.txStatus = 'I';
      throw new StatementError(errorFields(ctrl.signal.aborted && !(e instanceof UserError) ? ctrl.signal.reason : e, query, toQuery));
    } finally {
      if (timer) clearTimeout(timer);
      if (this.current === ctrl) this.current = undefined;
    }
  }

  private rowDescription(columns: readonly Column[]): Uint8Array {
    return msg.rowDescription(columns.map((c) => ({ name: c.name, typeOid: pgType(c.type).oid, typeSize: pgType(c.type).size })));
  }

  /** RowDescription (simple protocol only), DataRows [from, to) and CommandComplete. */
  private *sendResult(result: QueryResult, sql: string, from: number, to: number, withDescription: boolean): Generator<Uint8Array> {
    if (result.kind === 'command' || result.columns.length === 0) {
      yield msg.commandComplete(commandTag(sql, result.kind === 'command' ? result.rowCount : undefined));
      return;
    }
    if (withDescription) yield this.rowDescription(result.columns);
    const end = withDescription ? result.rows.length : to;
    const types = result.columns.map((c) => c.type);
    let batch: Uint8Array[] = [];
    for (let i = withDescription ? 0 : from; i < end; i++) {
      const row = result.rows[i] ?? [];
      batch.push(msg.dataRow(types.map((t, j) => textValue(row[j] ?? null, t))));
      if (batch.length === ROWS_PER_WRITE) {
        yield Buffer.concat(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield Buffer.concat(batch);
    const keyword = firstWords(sql);
    yield msg.commandComplete(keyword.startsWith('SHOW') ? 'SHOW' : `SELECT ${end - (withDescription ? 0 : from)}`);
  }
}

/** The result has exactly the described columns (names and wire types; [] = no result set). */
function sameShape(described: readonly Column[], result: QueryResult): boolean {
  const columns = result.kind === 'rows' ? result.columns : [];
  return columns.length === described.length && columns.every((c, i) => c.name === described[i]?.name && pgType(c.type).oid === pgType(described[i]?.type ?? '').oid);
}
