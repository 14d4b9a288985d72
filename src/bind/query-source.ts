// Maps nodes of DuckDB's parse tree back to spans in the script: DuckDB records byte offsets into the
// query text; this turns them into script offsets covering the whole token, the `name =>` of a named
// argument, or a column name mentioned in an error.
import type { Span } from '../diag/span.ts';
import type { CatalogSnapshot } from '../catalog/catalog.ts';
import type { Database } from '../storage/duckdb.ts';
import { diag, type Diagnostic } from '../diag/diagnostic.ts';
import { byteToChar, findWord, location, tokenLength, type JsonNode } from '../sql/duck-ast.ts';
import { duckdbDiagnostic } from '../sql/duckdb-error.ts';

/** Everything binding a query needs. */
export interface QueryScope {
  readonly catalog: CatalogSnapshot;
  readonly db: Database;
}

export class QuerySource {
  constructor(
    /** The query text DuckDB parsed. */
    readonly text: string,
    /** Where that text starts in the script. */
    readonly start: number,
  ) {}

  /** Local (query-relative) offset of a node, or undefined when DuckDB recorded none. */
  local(n: JsonNode): number | undefined {
    const loc = location(n);
    return loc === undefined ? undefined : byteToChar(this.text, loc);
  }

  /** Span of the token a node starts at (a whole string literal, name or parenthesized group). */
  span(n: JsonNode): Span {
    const at = this.local(n) ?? 0;
    return { start: this.start + at, end: this.start + at + tokenLength(this.text, at) };
  }

  /** Span of `name` in `name => value` for a named argument node, else the value's span. */
  argName(n: JsonNode): Span {
    const at = this.local(n);
    const name = typeof n['alias'] === 'string' ? n['alias'] : '';
    if (at !== undefined && name) {
      const before = this.text.slice(0, at);
      const m = new RegExp(`(${name.replace(/[^\w]/g, '')})\\s*=>\\s*$`, 'i').exec(before);
      if (m) return { start: this.start + m.index, end: this.start + m.index + (m[1]?.length ?? 0) };
    }
    return this.span(n);
  }

  /** Span of the first whole-word mention of `word` in the query (inside [fromNode, its end) when given). */
  word(word: string, within?: JsonNode): Span | undefined {
    const from = within ? (this.local(within) ?? 0) : 0;
    const to = within ? from + this.argsLength(from) : this.text.length;
    const at = findWord(this.text, word, from, to) ?? findWord(this.text, word);
    return at === undefined ? undefined : { start: this.start + at, end: this.start + at + word.length };
  }

  /**
   * A diagnostic for a DuckDB error raised on SQL generated from this query (an input query): the
   * name DuckDB complains about is found again in the user's text; a `{{column}}` placeholder that
   * names no column is reported at the placeholder.
   */
  diagnose(error: unknown, sql: string, fallback: Span, within?: JsonNode, placeholders?: ReadonlyMap<string, Span>): Diagnostic {
    const d = duckdbDiagnostic(error, sql, undefined, fallback);
    if (/unknown function '(llm|llm_agg|llm_filter|vlm|embed)'/.test(d.message)) {
      return diag('B0511', 'the rows this model call reads depend on another model call; compute that one first (CREATE TABLE ... AS) and query the table', fallback);
    }
    const m = /^unknown (column|table|function|table function) '([^']+)'/.exec(d.message);
    const name = m?.[2]?.split('.').pop();
    if (!m || !name) return d;
    const ph = placeholders?.get(name.toLowerCase());
    if (ph) return diag('B0206', `unknown placeholder '{{${name}}}': not a column of the rows this call reads`, ph, d.help ? { help: d.help } : {});
    const at = this.word(name, within);
    return at ? { ...d, span: at } : d;
  }

  /** For a call `f(...)` starting at `from`, the length of its argument list. */
  private argsLength(from: number): number {
    const open = this.text.indexOf('(', from);
    return open < 0 ? 0 : open - from + tokenLength(this.text, open);
  }
}
