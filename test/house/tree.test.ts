// The real src/ follows the house rules (scripts/house/check.ts); run `npx tsx scripts/check-house.ts` for the list.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { checkHouse, formatReport } from '../../scripts/house/check.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

it('the source tree follows the house rules', () => {
  const violations = checkHouse(root);
  expect(violations.length === 0 ? '' : formatReport(violations)).toBe('');
});
