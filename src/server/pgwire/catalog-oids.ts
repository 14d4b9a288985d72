// Stable oids for the lakehouse's relations and schemas, shared by every catalog answer (psql's and
// the BI drivers'), so an oid one query returned finds the same relation in the next. Allocated on
// first sight from 16384 (PostgreSQL's first user oid) and kept for the server's lifetime.

/** PostgreSQL's own namespace oids. */
const FIXED_NAMESPACES: Readonly<Record<string, number>> = { pg_catalog: 11, public: 2200, information_schema: 13000 };

/** The oid allocator of one server. */
export class CatalogOids {
  private readonly relations = new Map<string, number>();
  private readonly namespaces = new Map<string, number>();
  private readonly objects = new Map<string, number>();
  private next = 16384;

  /** The oid of relation `schema.name`. */
  relation(schema: string, name: string): number {
    const key = `${schema}.${name}`;
    let oid = this.relations.get(key);
    if (oid === undefined) {
      oid = this.next++;
      this.relations.set(key, oid);
    }
    return oid;
  }

  /** The oid of schema `name`. */
  namespace(name: string): number {
    const fixed = FIXED_NAMESPACES[name];
    if (fixed !== undefined) return fixed;
    let oid = this.namespaces.get(name);
    if (oid === undefined) {
      oid = this.next++;
      this.namespaces.set(name, oid);
    }
    return oid;
  }

  /** The oid of another catalog object (a constraint, an index, a database), by a key naming its kind. */
  object(key: string): number {
    let oid = this.objects.get(key);
    if (oid === undefined) {
      oid = this.next++;
      this.objects.set(key, oid);
    }
    return oid;
  }

  /** The relation an oid was given to. */
  relationOf(oid: number): { schema: string; name: string } | undefined {
    for (const [key, o] of this.relations) {
      if (o !== oid) continue;
      const dot = key.indexOf('.');
      return { schema: key.slice(0, dot), name: key.slice(dot + 1) };
    }
    return undefined;
  }
}
