// RETURNS validation (DuckDB casts + CHECKs) and the JSON schema sent to servers for a RETURNS spec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { returnsSchema } from '../../src/runtime/model-client.ts';
import { validateReturns } from '../../src/runtime/validate-returns.ts';
import type { ReturnSpec } from '../../src/ir/common.ts';
import { Database } from '../../src/storage/duckdb.ts';

const RATING: ReturnSpec = {
  columns: [
    { name: 'tier', type: 'VARCHAR', check: "tier IN ('gold', 'silver', 'bronze')" },
    { name: 'score', type: 'DOUBLE', check: 'score BETWEEN 0 AND 1' },
    { name: 'stars', type: 'INTEGER' },
    { name: 'ok', type: 'BOOLEAN' },
  ],
};

describe('validateReturns', () => {
  let db: Database;
  beforeAll(async () => {
    db = await Database.open(':memory:');
  });
  afterAll(() => {
    db.close();
  });

  it('accepts a valid answer with typed values, also inside prose or a code fence', async () => {
    const json = '{"tier": "gold", "score": 0.75, "stars": 4, "ok": true}';
    const want = { ok: true, values: { tier: 'gold', score: 0.75, stars: 4, ok: true } };
    expect(await validateReturns(json, RATING, db)).toEqual(want);
    expect(await validateReturns(`Sure, here it is:\n\`\`\`json\n${json}\n\`\`\``, RATING, db)).toEqual(want);
  });

  it.each([
    ['not JSON', '{"tier": "gold", "score": 0.5,', /not valid JSON/],
    ['not an object', '[1, 2]', /not a JSON object/],
    ['a missing column', '{"tier": "gold", "score": 0.5, "stars": 2}', /lacks 'ok'/],
    ['a value outside the enum', '{"tier": "platinum", "score": 0.5, "stars": 2, "ok": false}', /'tier' fails CHECK/],
    ['a value outside BETWEEN', '{"tier": "gold", "score": 1.5, "stars": 2, "ok": false}', /'score' fails CHECK/],
    ['an uncastable value', '{"tier": "gold", "score": "high", "stars": 2, "ok": false}', /'score' is not a valid DOUBLE/],
  ])('rejects %s', async (_name, text, message) => {
    const r = await validateReturns(text, RATING, db);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('evaluates a CHECK over several columns', async () => {
    const spec: ReturnSpec = { columns: [{ name: 'lo', type: 'INTEGER' }, { name: 'hi', type: 'INTEGER', check: 'hi >= lo' }] };
    expect((await validateReturns('{"lo": 1, "hi": 2}', spec, db)).ok).toBe(true);
    expect((await validateReturns('{"lo": 5, "hi": 2}', spec, db)).ok).toBe(false);
  });

  // Regression test (fixed bug): a fractional number for an INTEGER column is silently rounded (TRY_CAST('3.7' AS INTEGER) is
  // 4 in DuckDB) and accepted, although the JSON schema sent to the server says "integer". The row
  // then holds a value the model never gave. Expected: rejected like any other ill-typed value, so
  // the call is retried once and otherwise becomes E0302.
  it('rejects a fractional number for an INTEGER column instead of rounding it', async () => {
    const r = await validateReturns('{"tier": "gold", "score": 0.5, "stars": 3.7, "ok": true}', RATING, db);
    expect(r.ok).toBe(false);
  });
});

describe('returnsSchema', () => {
  it('maps DuckDB types to JSON types and CHECKs to enum and bounds, every column required', () => {
    expect(returnsSchema(RATING)).toEqual({
      type: 'object',
      properties: {
        tier: { type: 'string', enum: ['gold', 'silver', 'bronze'] },
        score: { type: 'number', minimum: 0, maximum: 1 },
        stars: { type: 'integer' },
        ok: { type: 'boolean' },
      },
      required: ['tier', 'score', 'stars', 'ok'],
      additionalProperties: false,
    });
    expect(returnsSchema({ columns: [{ name: 'tags', type: 'VARCHAR[]' }, { name: 'n', type: 'BIGINT', check: 'n >= 1 AND n <= 9' }] }).properties).toEqual({
      tags: { type: 'array', items: { type: 'string' } },
      n: { type: 'integer', minimum: 1, maximum: 9 },
    });
  });
});
