// The bench's lakehouses: the demo lakehouse (generated like examples/demo.ts when missing), one base
// copy in a temporary folder with the scenarios' tables (scenario-data.ts) and the bench-only models
// and workflows created, and a fresh copy of the base for every cell, so no cell sees another's
// provenance rows, generated objects or caches.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoData } from '../examples/demo-data/generate.ts';
import { Session } from '../src/engine/session.ts';
import { scenarioTables } from './scenario-data.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Bench-only models and workflows, created in the base lakehouse (after the scenarios' tables). */
const BENCH_WORKFLOWS = [
  'workloads/q2_text.sql',
  'workloads/s1_phases.sql',
  'workloads/s2_document_qa.sql',
  'workloads/s3_five_models.sql',
  'workloads/s4_tenants.sql',
  'workloads/s5_single_model.sql',
];

/** The demo lakehouse's folder, as `npm run demo` uses it. */
export function demoLakehouseDir(): string {
  return process.env['AGENTLAKE_LAKEHOUSE'] ?? './lakehouse';
}

/** A temporary area with a prepared base lakehouse; `fresh()` copies it for one cell. */
export class BenchLakehouses {
  private count = 0;

  private constructor(
    readonly root: string,
    readonly base: string,
  ) {}

  /** Generates the demo lakehouse if missing, copies it and creates the scenarios' tables and the bench workflows in the copy. */
  static async prepare(log: (line: string) => void): Promise<BenchLakehouses> {
    const demo = demoLakehouseDir();
    const summary = await generateDemoData(demo);
    log(summary.skipped ? `demo lakehouse: ${summary.dir} (already generated)` : `demo lakehouse: generated ${summary.dir}`);
    const root = await mkdtemp(join(tmpdir(), 'agentlake-bench-'));
    const base = join(root, 'base');
    await cp(demo, base, { recursive: true });
    const session = await Session.open({ lakehouse: base, cache: false });
    try {
      for (const t of scenarioTables()) await session.lakehouse.writeTable(t.name, t.sql);
      for (const file of BENCH_WORKFLOWS) {
        const text = await readFile(join(BENCH_DIR, file), 'utf8');
        await session.runScript({ name: `bench/${file}`, text }, 'run');
      }
    } finally {
      await session.close();
    }
    return new BenchLakehouses(root, base);
  }

  /** A fresh copy of the base lakehouse; the caller removes it with `discard`. */
  async fresh(): Promise<string> {
    const dir = join(this.root, `cell-${++this.count}`);
    await cp(this.base, dir, { recursive: true });
    return dir;
  }

  async discard(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  /** Removes the whole temporary area. */
  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
