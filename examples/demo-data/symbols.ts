// The fake equity universe: 160 companies with unique plausible tickers, names and sectors,
// plus each company's hidden profile (shares, revenue, margin, valuation) other tables share.
import { createRng, round } from './prng.ts';
import { SECTORS } from './sectors.ts';
import type { Sector } from './sectors.ts';

export const SYMBOL_COUNT = 160;

const STEMS: readonly string[] = [
  'Aster', 'Bluefin', 'Cobalt', 'Driftwood', 'Ember', 'Fjord', 'Granite', 'Halcyon', 'Ironbark', 'Juniper',
  'Kestrel', 'Lumen', 'Meridian', 'Northwind', 'Onyx', 'Pinnacle', 'Quarry', 'Redwood', 'Solstice', 'Tidewater',
  'Umbra', 'Vantage', 'Willow', 'Xenith', 'Yarrow', 'Zephyr', 'Altair', 'Borealis', 'Cascade', 'Delphi',
  'Everest', 'Falcon', 'Glacier', 'Harbor', 'Indigo', 'Jasper', 'Keystone', 'Lighthouse', 'Magnolia', 'Nimbus',
  'Orchid', 'Polaris', 'Quantum', 'Ridgeway', 'Sable', 'Talon', 'Upland', 'Vertex', 'Wavecrest', 'Apex',
  'Beacon', 'Cedar', 'Dune', 'Eastgate', 'Foxglove', 'Goldleaf', 'Highland', 'Ivory', 'Jetstream', 'Kingsley',
  'Larkspur', 'Monarch', 'Nova', 'Oakmont', 'Prairie', 'Quill', 'Rivet', 'Summit', 'Thistle', 'Unity',
  'Valor', 'Westbrook', 'Arbor', 'Brightwater', 'Crescent', 'Driftline', 'Evergreen', 'Fairview', 'Greystone', 'Hawthorne',
  'Ironwood', 'Lakeshore', 'Marigold', 'Northstar', 'Osprey', 'Peregrine', 'Riverton', 'Silverpine', 'Starling', 'Timberline',
  'Veridian', 'Whitecap', 'Amberly', 'Bramble', 'Coralline', 'Dovetail', 'Fernwood', 'Gullwing', 'Heron', 'Lodestar',
];

const LEGAL_FORMS: readonly string[] = ['Inc.', 'Corp.', 'Co.', 'Group', 'Ltd.'];

/** A listed company and the hidden parameters its financials, prices and trades derive from. */
export interface Company {
  readonly symbol: string;
  readonly name: string;
  readonly sector: Sector;
  /** Shares outstanding, millions. */
  readonly sharesM: number;
  /** FY2022 revenue, USD millions. */
  readonly revenue2022: number;
  readonly margin: number;
  readonly growth: number;
  readonly pe: number;
  /** Close on the last trading day of 2024, USD. */
  readonly startPrice: number;
}

function tickerCandidates(stem: string, suffix: string): string[] {
  const s = stem.toUpperCase();
  const x = suffix.toUpperCase();
  const cons = s[0] + s.slice(1).replace(/[AEIOUY]/g, '');
  return [cons.slice(0, 3) + x[0], cons.slice(0, 4), s.slice(0, 3), cons.slice(0, 2) + x.slice(0, 2), s.slice(0, 4), s[0] + x.slice(0, 3)]
    .filter((t) => t.length >= 3);
}

function profile(symbol: string, name: string, sector: Sector): Company {
  const rng = createRng(`profile/${symbol}`);
  const sharesM = round(Math.exp(Math.log(300) + 0.8 * rng.normal()), 1);
  const revenue2022 = round(Math.exp(Math.log(5000) + rng.normal()), 1);
  const loss = rng.chance(0.08);
  const margin = loss ? -rng.float(0.02, 0.15) : Math.max(0.01, sector.margin + 0.05 * rng.normal());
  const growth = 0.06 + 0.08 * rng.normal();
  const pe = Math.max(6, sector.pe * Math.exp(0.25 * rng.normal()));
  const revenue2024 = revenue2022 * (1 + growth) ** 2;
  const perShare = loss ? (revenue2024 / sharesM) * rng.float(1.5, 5) : ((revenue2024 * margin) / sharesM) * pe;
  const startPrice = round(Math.min(900, Math.max(4, perShare)), 2);
  return { symbol, name, sector, sharesM, revenue2022, margin, growth, pe, startPrice };
}

/** The 160 companies, in a fixed order (sorted by ticker). */
export function generateCompanies(): Company[] {
  const rng = createRng('symbols');
  const names = new Set<string>();
  const tickers = new Set<string>();
  const out: Company[] = [];
  while (out.length < SYMBOL_COUNT) {
    const stem = rng.pick(STEMS);
    const sector = rng.pick(SECTORS);
    const suffix = rng.pick(sector.suffixes);
    const name = `${stem} ${suffix} ${rng.pick(LEGAL_FORMS)}`;
    const ticker = tickerCandidates(stem, suffix).find((t) => !tickers.has(t));
    if (names.has(`${stem} ${suffix}`) || ticker === undefined) continue;
    names.add(`${stem} ${suffix}`);
    tickers.add(ticker);
    out.push(profile(ticker, name, sector));
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
