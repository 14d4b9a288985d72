// The server's catalog layer: psql's backslash-command queries (psql-catalog.ts) first, then the BI
// drivers' pg_catalog / information_schema queries (bi-catalog.ts), both over one set of stable oids.
// A query neither recognizes goes to the executor unchanged.
import type { QueryResult } from './executor.ts';
import { BiCatalog } from './bi-catalog.ts';
import { CatalogOids } from './catalog-oids.ts';
import { PsqlCatalog } from './psql-catalog.ts';

type Run = (sql: string) => Promise<QueryResult>;

/** Answers catalog queries for every connection of one server. */
export class PgCatalog {
  private readonly oids = new CatalogOids();
  private readonly psql = new PsqlCatalog(this.oids);
  private readonly bi = new BiCatalog(this.oids);

  /** True when `sql` may be answered here (then only running it tells its row shape). */
  recognizes(sql: string): boolean {
    return /pg_catalog\./i.test(sql) || this.bi.recognizes(sql);
  }

  /** The answer, or undefined when `sql` is not a catalog query answered here. */
  async answer(sql: string, run: Run, user: string): Promise<QueryResult | undefined> {
    return (await this.psql.answer(sql, run, user)) ?? (await this.bi.answer(sql, run, user));
  }
}
