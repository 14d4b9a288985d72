// Checks the house rules of src/ (see scripts/house/check.ts): npx tsx scripts/check-house.ts [--json]. Exit 1 on any violation.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHouse, formatReport } from './house/check.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const violations = checkHouse(root);
process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(violations, null, 2)}\n` : formatReport(violations));
process.exitCode = violations.length > 0 ? 1 : 0;
