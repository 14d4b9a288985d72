// The commit a benchmark ran on, and whether src/ had uncommitted changes (results describe that code).
import { execFileSync } from 'node:child_process';

export function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim().length > 0;
    return `${head}${dirty ? ' + uncommitted src/ changes' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}
