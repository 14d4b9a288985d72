// The README's SQL tour stays true: its catalog block runs, and every query of its function and
// workflow blocks binds and explains over the demo lakehouse.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../src/engine/session.ts';
import { parseScript } from '../src/sql/parse.ts';
import { demoSession } from './helpers/lakehouse.ts';

const blocks = [...readFileSync(new URL('../README.md', import.meta.url), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

let session: Session;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ session, dispose } = await demoSession());
});

afterAll(() => dispose());

/** Each statement of a block on its own: catalog and plain statements run, model statements are explained. */
async function check(block: string): Promise<string[]> {
  const kinds: string[] = [];
  const parsed = parseScript({ name: 'README.md', text: block });
  expect(parsed.diagnostics).toEqual([]);
  for (const stmt of parsed.script.statements) {
    const text = block.slice(stmt.span.start, stmt.span.end);
    const modelCall = stmt.kind === 'explain' || (stmt.kind === 'sql' && (await session.bindSql(stmt)) !== undefined);
    const outcome = await session.runScript({ name: 'README.md', text }, modelCall ? 'explain' : 'run');
    kinds.push(outcome.kind);
  }
  return kinds;
}

/** The README block that contains `marker`. */
function block(marker: string): string {
  const b = blocks.find((x) => x.includes(marker));
  if (!b) throw new Error(`no README sql block contains ${marker}`);
  return b;
}

describe('README', () => {
  it('declares models for real servers without storing a key', async () => {
    expect(await check(block('qwen_vllm'))).toEqual(['ok', 'ok']);
    const m = session.catalog.snapshot.models.get('gpt');
    expect(m?.apiKeyEnv).toBe('OPENAI_API_KEY');
    expect(m?.options).toEqual({ rate_limit_rpm: 500 });
  });

  it('runs the catalog block', async () => {
    expect(await check(block('SHOW MODELS'))).toEqual(['ok', 'ok', 'ok', 'rows', 'rows', 'rows', 'ok']);
  });

  it('explains every model-function query', async () => {
    const kinds = await check(block('llm_agg'));
    expect(kinds).toHaveLength(6);
    expect(kinds.every((k) => k === 'explain')).toBe(true);
  });

  it('creates the trading workflow and explains its queries', async () => {
    expect(await check(block('CREATE WORKFLOW trading'))).toEqual(['ok', 'explain', 'explain', 'explain', 'explain']);
  });
});
