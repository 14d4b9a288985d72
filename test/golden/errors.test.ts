// Golden tests for rendered diagnostics (STYLE.md "Tests"): each test/golden/errors/NAME.sql is one bad
// script; NAME.err is exactly what `agentlake explain NAME.sql` prints on stderr (or `agentlake run`
// when the file's first line is `-- mode: run`). Every case must exit 1, never report an internal
// error, and give every diagnostic a line and column. `BLESS=1` rewrites the .err files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { freshLakehouse, removeLakehouse } from '../helpers/lakehouse.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const DIR = join(HERE, 'errors');
const BLESS = process.env['BLESS'] === '1';

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();

/** The path as the golden shows it: relative to the repository root, with forward slashes. */
function shown(abs: string): string {
  return relative(ROOT, abs).split(sep).join('/');
}

function modeOf(text: string): 'explain' | 'run' {
  return /^--\s*mode:\s*run\s*$/m.test(text.split('\n')[0] ?? '') ? 'run' : 'explain';
}

describe('rendered diagnostics (test/golden/errors)', () => {
  // One lakehouse for the whole file: each case uses its own object names, since a script's
  // successful CREATE statements stay in the catalog.
  let lakehouse = '';
  beforeAll(async () => {
    lakehouse = await freshLakehouse({ demo: true });
  });
  afterAll(() => {
    if (lakehouse) removeLakehouse(lakehouse);
  });

  it('has cases, and an .sql file for every .err file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const orphans = readdirSync(DIR).filter((f) => f.endsWith('.err') && !existsSync(join(DIR, f.replace(/\.err$/, '.sql'))));
    expect(orphans).toEqual([]);
  });


  for (const file of cases) {
    it(file, async () => {
      const sqlPath = join(DIR, file);
      const errPath = sqlPath.replace(/\.sql$/, '.err');
      const mode = modeOf(readFileSync(sqlPath, 'utf8'));
      const result = await runCli([mode, sqlPath], lakehouse);
      const stderr = result.stderr.split(sqlPath).join(shown(sqlPath));

      expect(`${result.stdout}\n${stderr}`).not.toContain('internal error');
      expect(result.code, `exit code of 'agentlake ${mode} ${file}'; stderr:\n${stderr}`).toBe(1);
      // Every diagnostic points into the script: its header is followed by ` --> FILE:line:col`.
      const lines = stderr.split('\n');
      lines.forEach((line, i) => {
        if (line.startsWith('error[')) expect(lines[i + 1] ?? '', `position of '${line}'`).toMatch(/^ *--> .+:\d+:\d+$/);
      });

      if (BLESS) writeFileSync(errPath, stderr);
      else {
        expect(existsSync(errPath), `missing ${shown(errPath)}: run with BLESS=1 to create it`).toBe(true);
        expect(stderr).toBe(readFileSync(errPath, 'utf8'));
      }
    });
  }
});
