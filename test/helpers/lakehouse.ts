// Test lakehouses: a fresh folder per test (agentlake.duckdb is single-process), optionally with the
// demo tables and objects linked in from one shared generated copy (made once, atomically, so
// parallel test workers never see a half-written copy).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoData, DEMO_DATA_VERSION } from '../../examples/demo-data/generate.ts';
import { Session } from '../../src/engine/session.ts';

// Keyed by the generator's source, so a changed generator never reuses stale shared data.
const GENERATOR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'demo-data');
const SOURCE_HASH = createHash('sha256')
  .update(readdirSync(GENERATOR).sort().map((f) => readFileSync(join(GENERATOR, f), 'utf8')).join('\0'))
  .digest('hex')
  .slice(0, 12);
const SHARED = join(tmpdir(), `agentlake-test-demo-v${DEMO_DATA_VERSION}-${SOURCE_HASH}`);

/** Generates the shared demo data once per machine (per data version). */
export async function sharedDemoData(): Promise<string> {
  if (existsSync(join(SHARED, 'tables', '_demo.json'))) return SHARED;
  const staging = mkdtempSync(join(tmpdir(), 'agentlake-demo-staging-'));
  await generateDemoData(staging);
  try {
    renameSync(staging, SHARED);
  } catch {
    // Another worker won the race; its copy is identical (the generator is deterministic).
    rmSync(staging, { recursive: true, force: true });
  }
  return SHARED;
}

/** A new empty lakehouse folder; with `demo`, the demo tables and objects are linked in read-only. */
export async function freshLakehouse(opts: { demo?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'agentlake-test-'));
  if (opts.demo) {
    // Real folders holding links to the shared files: what a test writes (tables, generated images)
    // lands in its own lakehouse, never in the shared copy.
    const shared = await sharedDemoData();
    for (const sub of ['tables', 'objects']) {
      mkdirSync(join(dir, sub));
      for (const e of readdirSync(join(shared, sub))) symlinkSync(join(shared, sub, e), join(dir, sub, e));
    }
  } else {
    mkdirSync(join(dir, 'tables'));
  }
  return dir;
}

/** Removes a test lakehouse (links only, never the shared data). */
export function removeLakehouse(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A session over a fresh demo lakehouse, and the function that closes and removes it. */
export async function demoSession(): Promise<{ session: Session; dispose: () => Promise<void> }> {
  const dir = await freshLakehouse({ demo: true });
  const session = await Session.open({ lakehouse: dir });
  return {
    session,
    dispose: async () => {
      await session.close();
      removeLakehouse(dir);
    },
  };
}
