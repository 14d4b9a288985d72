// `lake_objects(prefix)` for SQL, one implementation for local and S3 lakehouses: a TEMP MACRO that
// filters a temp table holding a listing of objects/, which the engine reloads from the object store
// before each statement that mentions lake_objects. The macro matches keys as keyMatcher does
// (glob.ts patterns, else one key or a folder), so SQL and listObjects select the same objects.
import { timestampTZValue } from '@duckdb/node-api';
import { quoteString, type Database } from './duckdb.ts';
import { sortByKey, type ObjectStore, type StoredObject } from './object-store.ts';

/** The temp table lake_objects() reads: key, size, last_modified of (at least) the objects it is asked for. */
const LAKE_OBJECTS_TABLE = '__agentlake_objects';

const COLUMNS = 'key VARCHAR, size BIGINT, last_modified TIMESTAMP WITH TIME ZONE';

/** What a statement needs listed: some patterns (already normalized), or every object. */
export type ObjectListing = { readonly kind: 'patterns'; readonly patterns: readonly string[] } | { readonly kind: 'all' };

/**
 * Defines lake_objects(prefix) over an empty listing table. `location` is the objects root as the
 * store names it (a folder or `s3://bucket/prefix/objects`): an argument starting with it is taken
 * relative to it; otherwise a leading `s3://` or `lake://` is dropped.
 */
export async function defineLakeObjects(db: Database, location: string): Promise<void> {
  const loc = quoteString(location);
  const root = quoteString(`${location}/`);
  await db.run(`CREATE OR REPLACE TEMP TABLE ${LAKE_OBJECTS_TABLE} (${COLUMNS})`);
  // The argument, normalized as objectPattern() does.
  await db.run(`CREATE OR REPLACE TEMP MACRO __agentlake_object_pattern(p) AS regexp_replace(
    CASE WHEN p = ${loc} THEN '' WHEN starts_with(p, ${root}) THEN substr(p, length(${root}) + 1) ELSE regexp_replace(p, '^(s3|lake)://', '') END,
    '^/+', '')`);
  // globToRegExp (glob.ts) in SQL: the glob cut into tokens, each token translated.
  await db.run(String.raw`CREATE OR REPLACE TEMP MACRO __agentlake_glob_regex(g) AS array_to_string(list_transform(
    regexp_extract_all(g, '\*\*/?|\*|\?|\[[^\]]*\]|(?s:.)'),
    lambda t: CASE
      WHEN starts_with(t, '**') THEN '.*'
      WHEN t = '*' THEN '[^/]*'
      WHEN t = '?' THEN '[^/]'
      WHEN starts_with(t, '[') AND length(t) > 1 THEN '[' || replace(t[2:-2], '\', '\\') || ']'
      ELSE regexp_replace(t, '([.+^$(){}|\\\[\]])', '\\\1')
    END), '')`);
  await db.run(`CREATE OR REPLACE TEMP MACRO __agentlake_key_matches(k, p) AS CASE
    WHEN regexp_matches(p, '[*?\\[]') THEN regexp_full_match(k, __agentlake_glob_regex(p))
    ELSE k = p OR starts_with(k, CASE WHEN p = '' OR suffix(p, '/') THEN p ELSE p || '/' END)
  END`);
  await db.run(`CREATE OR REPLACE TEMP MACRO lake_objects(prefix := '') AS TABLE
    SELECT key, size, last_modified FROM ${LAKE_OBJECTS_TABLE}
    WHERE __agentlake_key_matches(key, __agentlake_object_pattern(prefix))
    ORDER BY key`);
}

/** A lake_objects() argument as a store pattern: what the macro's __agentlake_object_pattern does. */
export function objectPattern(arg: string, location: string): string {
  const rel = arg === location ? '' : arg.startsWith(`${location}/`) ? arg.slice(location.length + 1) : arg.replace(/^(s3|lake):\/\//, '');
  return rel.replace(/^\/+/, '');
}

const MENTION = /lake_objects/gi;
const LITERAL_CALL = /lake_objects\s*\(\s*(?:(?:prefix\s*(?::=|=>)\s*)?'((?:[^']|'')*)')?\s*\)/iy;

/**
 * What a statement needs listed, judged from its text: undefined when it never mentions
 * lake_objects; its patterns when every mention is a call with a string literal (or no argument);
 * else every object (an expression, a comment, a quoted name: the macro filters a full listing).
 */
export function lakeObjectsListing(sql: string, location: string): ObjectListing | undefined {
  const patterns = new Set<string>();
  let mentioned = false;
  for (const m of sql.matchAll(MENTION)) {
    mentioned = true;
    LITERAL_CALL.lastIndex = m.index;
    const call = LITERAL_CALL.exec(sql);
    if (!call) return { kind: 'all' };
    const pattern = objectPattern((call[1] ?? '').replace(/''/g, "'"), location);
    if (pattern === '') return { kind: 'all' };
    patterns.add(pattern);
  }
  return mentioned ? { kind: 'patterns', patterns: [...patterns] } : undefined;
}

/** Replaces the listing table's rows with the objects a statement needs, listed now. Returns how many. */
export async function loadLakeObjects(db: Database, store: ObjectStore, listing: ObjectListing): Promise<number> {
  const found = new Map<string, StoredObject>();
  const patterns = listing.kind === 'all' ? [''] : listing.patterns;
  for (const pattern of patterns) for (const o of await listOrNone(store, pattern)) found.set(o.key, o);
  const objects = sortByKey([...found.values()]);
  await db.run(`CREATE OR REPLACE TEMP TABLE ${LAKE_OBJECTS_TABLE} (${COLUMNS})`);
  await db.withAppender(LAKE_OBJECTS_TABLE, 'temp', (appender) => {
    for (const o of objects) {
      appender.appendVarchar(o.key);
      appender.appendBigInt(BigInt(o.size));
      // Whole seconds on both kinds of store (S3 listings have no finer time).
      if (o.lastModified) appender.appendTimestampTZ(timestampTZValue(BigInt(Math.floor(o.lastModified.getTime() / 1000)) * 1_000_000n));
      else appender.appendNull();
      appender.endRow();
    }
  });
  return objects.length;
}

/** A pattern that would leave the store (`../x`) matches no key: a RangeError from the store means none. */
async function listOrNone(store: ObjectStore, pattern: string): Promise<StoredObject[]> {
  try {
    return await store.list(pattern);
  } catch (e) {
    if (e instanceof RangeError) return [];
    throw e;
  }
}
