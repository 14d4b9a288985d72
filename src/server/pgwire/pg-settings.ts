// PostgreSQL session settings the way BI tools and drivers expect them: SET / RESET / SHOW of the
// usual settings, current_setting(), version() and the ParameterStatus values sent at start-up, all
// answered here without DuckDB (which rejects most of these names). agentlake.* and DuckDB's own
// settings go to the executor.
import type { QueryResult } from './executor.ts';

/** The PostgreSQL version clients are told (server_version). */
export const PG_VERSION = '15.0';

/** server_version_num: PG_VERSION as PostgreSQL numbers it (15.0 → 150000). */
export const PG_VERSION_NUM = String(Number(PG_VERSION.split('.')[0]) * 10000 + Number(PG_VERSION.split('.')[1] ?? 0));

/** `SELECT version()`'s answer. */
export function versionString(agentlakeVersion: string): string {
  return `PostgreSQL ${PG_VERSION} (agentlake ${agentlakeVersion}) on x86_64-pc-linux-gnu, compiled by agentlake (DuckDB engine), 64-bit`;
}

/** Defaults by lower-case name: [display name, value, reported in ParameterStatus]. */
const DEFAULTS: Readonly<Record<string, readonly [string, string, boolean]>> = {
  server_version: ['server_version', PG_VERSION, true],
  server_version_num: ['server_version_num', PG_VERSION_NUM, false],
  server_encoding: ['server_encoding', 'UTF8', true],
  client_encoding: ['client_encoding', 'UTF8', true],
  datestyle: ['DateStyle', 'ISO, MDY', true],
  timezone: ['TimeZone', 'UTC', true],
  intervalstyle: ['IntervalStyle', 'postgres', true],
  integer_datetimes: ['integer_datetimes', 'on', true],
  standard_conforming_strings: ['standard_conforming_strings', 'on', true],
  is_superuser: ['is_superuser', 'off', true],
  application_name: ['application_name', '', true],
  default_transaction_read_only: ['default_transaction_read_only', 'off', true],
  in_hot_standby: ['in_hot_standby', 'off', true],
  search_path: ['search_path', '"$user", public', false],
  extra_float_digits: ['extra_float_digits', '1', false],
  statement_timeout: ['statement_timeout', '0', false],
  lock_timeout: ['lock_timeout', '0', false],
  idle_in_transaction_session_timeout: ['idle_in_transaction_session_timeout', '0', false],
  lc_messages: ['lc_messages', 'C', false],
  lc_monetary: ['lc_monetary', 'C', false],
  lc_numeric: ['lc_numeric', 'C', false],
  lc_time: ['lc_time', 'C', false],
  bytea_output: ['bytea_output', 'hex', false],
  transaction_isolation: ['transaction_isolation', 'read committed', false],
  default_transaction_isolation: ['default_transaction_isolation', 'read committed', false],
  max_identifier_length: ['max_identifier_length', '63', false],
  row_security: ['row_security', 'on', false],
  jit: ['jit', 'off', false],
  geqo: ['geqo', 'on', false],
  join_collapse_limit: ['join_collapse_limit', '8', false],
  work_mem: ['work_mem', '4MB', false],
  client_min_messages: ['client_min_messages', 'notice', false],
  session_authorization: ['session_authorization', '', true],
};

/** Settings that cannot be changed (SET answers 55P02 / 42501 in PostgreSQL). */
const READ_ONLY = new Set(['server_version', 'server_version_num', 'server_encoding', 'integer_datetimes', 'is_superuser', 'max_identifier_length', 'in_hot_standby', 'lc_collate', 'lc_ctype']);

/** A statement answered here: its result and ParameterStatus changes to report. */
export interface LocalAnswer {
  readonly result: QueryResult;
  readonly report?: readonly (readonly [string, string])[];
}

/** A local answer failed (bad value): SQLSTATE and message. */
export class SettingError extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
  ) {
    super(message);
  }
}

/** One connection's PostgreSQL settings. */
export class PgSettings {
  private readonly values = new Map<string, string>();

  constructor(
    private readonly user: string,
    private readonly agentlakeVersion: string,
    startup: Readonly<Record<string, string>>,
  ) {
    for (const [k, v] of Object.entries(startup)) {
      const key = k.toLowerCase();
      if (key in DEFAULTS && !READ_ONLY.has(key)) this.values.set(key, v);
    }
  }

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    if (key === 'session_authorization') return this.values.get(key) ?? this.user;
    return this.values.get(key) ?? DEFAULTS[key]?.[1];
  }

  /** statement_timeout in milliseconds (0 = none). */
  statementTimeoutMs(): number {
    return parseDuration(this.get('statement_timeout') ?? '0');
  }

  /** The ParameterStatus messages of start-up. */
  startupStatus(): [string, string][] {
    return Object.entries(DEFAULTS)
      .filter(([, d]) => d[2])
      .map(([k, d]) => [d[0], this.get(k) ?? '']);
  }

  /** Answers the statement when it is a PostgreSQL setting statement or version()/current_setting(). */
  answer(stmt: string): LocalAnswer | undefined {
    const s = stmt.trim().replace(/;\s*$/, '');
    let m: RegExpExecArray | null;
    if (/^select\s+(?:pg_catalog\.)?version\s*\(\s*\)(?:\s+as\s+"?(\w+)"?)?$/i.test(s)) {
      const alias = /\s+as\s+"?(\w+)"?$/i.exec(s)?.[1] ?? 'version';
      return { result: textRows([alias], [[versionString(this.agentlakeVersion)]]) };
    }
    if ((m = /^select\s+(?:pg_catalog\.)?current_setting\s*\(\s*'([^']+)'\s*\)(?:\s+as\s+"?(\w+)"?)?$/i.exec(s))) {
      const v = this.get(m[1] ?? '');
      if (v === undefined) return undefined;
      return { result: textRows([m[2] ?? 'current_setting'], [[v]]) };
    }
    if ((m = /^show\s+(?:"([^"]+)"|([\w.]+(?:\s+(?:isolation\s+level|zone))?))$/i.exec(s))) {
      const raw = (m[1] ?? m[2] ?? '').toLowerCase().replace(/\s+/g, ' ');
      const name = raw === 'time zone' ? 'timezone' : raw === 'transaction isolation level' ? 'transaction_isolation' : raw;
      if (!(name in DEFAULTS)) return undefined;
      return { result: textRows([DEFAULTS[name]?.[0] ?? name], [[this.get(name) ?? '']]) };
    }
    if (/^set\s+(?:session\s+|local\s+)?(?:session\s+characteristics\s+as\s+)?transaction\b/i.test(s)) return { result: { kind: 'command', message: 'SET' } };
    if ((m = /^set\s+(?:session\s+|local\s+)?time\s+zone\s+(.+)$/i.exec(s))) return this.set('timezone', m[1] ?? '');
    if ((m = /^set\s+(?:session\s+|local\s+)?names\s+(.+)$/i.exec(s))) return this.set('client_encoding', m[1] ?? '');
    if ((m = /^set\s+(?:session\s+|local\s+)?("?[\w]+"?)\s*(?:=|\s+to\s+)\s*([\s\S]+)$/i.exec(s))) {
      const name = (m[1] ?? '').replace(/"/g, '').toLowerCase();
      if (!(name in DEFAULTS)) return undefined;
      return this.set(name, m[2] ?? '');
    }
    if ((m = /^reset\s+(all|"?\w+"?)$/i.exec(s))) {
      const name = (m[1] ?? '').replace(/"/g, '').toLowerCase();
      if (name === 'all') {
        const changed = [...this.values.keys()].filter((k) => DEFAULTS[k]?.[2]);
        this.values.clear();
        return { result: { kind: 'command', message: 'RESET' }, report: changed.map((k) => [DEFAULTS[k]?.[0] ?? k, this.get(k) ?? '']) };
      }
      if (!(name in DEFAULTS)) return undefined;
      this.values.delete(name);
      return { result: { kind: 'command', message: 'RESET' }, ...(DEFAULTS[name]?.[2] ? { report: [[DEFAULTS[name]?.[0] ?? name, this.get(name) ?? '']] } : {}) };
    }
    if (/^discard\s+all$/i.test(s)) {
      this.values.clear();
      return { result: { kind: 'command', message: 'DISCARD ALL' } };
    }
    return undefined;
  }

  private set(name: string, rawValue: string): LocalAnswer {
    if (READ_ONLY.has(name)) throw new SettingError('55P02', `parameter "${name}" cannot be changed`);
    const value = rawValue
      .split(',')
      .map((p) => p.trim().replace(/^'(.*)'$/s, '$1').replace(/''/g, "'"))
      .join(', ');
    if (name === 'client_encoding' && !/^(utf-?8|unicode)$/i.test(value)) throw new SettingError('22023', `client_encoding '${value}' is not supported: agentlake speaks UTF8 only`);
    const stored = name === 'client_encoding' ? 'UTF8' : /^default$/i.test(value) ? undefined : value;
    if (name === 'statement_timeout' && stored !== undefined && !Number.isFinite(parseDuration(stored))) throw new SettingError('22023', `invalid value for parameter "statement_timeout": "${value}"`);
    if (stored === undefined) this.values.delete(name);
    else this.values.set(name, stored);
    const d = DEFAULTS[name];
    return { result: { kind: 'command', message: 'SET' }, ...(d?.[2] ? { report: [[d[0], this.get(name) ?? '']] } : {}) };
  }
}

function textRows(names: readonly string[], rows: readonly (readonly string[])[]): QueryResult {
  return { kind: 'rows', columns: names.map((name) => ({ name, type: 'VARCHAR' })), rows };
}

/** '5000', '5s', '2min', '100ms' → milliseconds (NaN when unreadable). */
export function parseDuration(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/i.exec(v);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return n * ({ ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as Record<string, number>)[unit]!;
}
