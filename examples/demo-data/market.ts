// Market tables: prices (60 weekdays from 2025-01-02, a random walk per symbol), fiscal-year
// financials 2022-2025 and 0-6 insider trades per symbol, all consistent with the company profile.
import { createRng, round } from './prng.ts';
import { daysToIso, isoToDays } from './table.ts';
import type { Cell, DemoTable } from './table.ts';
import type { Company } from './symbols.ts';

export const TRADING_DAYS = 60;
export const FISCAL_YEARS: readonly number[] = [2022, 2023, 2024, 2025];

/** One daily bar of a symbol. */
export interface Bar {
  readonly day: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: bigint;
}

/** `count` weekdays starting at `fromIso` (inclusive). */
export function weekdays(fromIso: string, count: number): string[] {
  const out: string[] = [];
  for (let d = isoToDays(fromIso); out.length < count; d++) {
    const dow = (d + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    if (dow !== 0 && dow !== 6) out.push(daysToIso(d));
  }
  return out;
}

/** The daily bars of one company (deterministic per symbol). */
export function generateBars(company: Company): Bar[] {
  const rng = createRng(`prices/${company.symbol}`);
  const vol = company.sector.vol * Math.exp(0.3 * rng.normal());
  const drift = 0.0008 * rng.normal();
  const baseVolume = Math.exp(Math.log(2e6) + 0.9 * rng.normal());
  let prev = company.startPrice;
  return weekdays('2025-01-02', TRADING_DAYS).map((day) => {
    const open = prev * (1 + 0.25 * vol * rng.normal());
    const close = open * (1 + drift + vol * rng.normal());
    const high = Math.max(open, close) * (1 + Math.abs(0.5 * vol * rng.normal()));
    const low = Math.min(open, close) * (1 - Math.abs(0.5 * vol * rng.normal()));
    const volume = BigInt(Math.round(baseVolume * Math.exp(0.35 * rng.normal())));
    prev = close;
    return { day, open: round(open, 2), high: round(high, 2), low: round(low, 2), close: round(close, 2), volume };
  });
}

/** prices(symbol, day, open, high, low, close, volume). */
export function pricesTable(companies: readonly Company[], bars: ReadonlyMap<string, readonly Bar[]>): DemoTable {
  const rows: Cell[][] = [];
  for (const c of companies) {
    for (const b of bars.get(c.symbol) ?? []) rows.push([c.symbol, b.day, b.open, b.high, b.low, b.close, b.volume]);
  }
  return {
    name: 'prices',
    columns: [
      { name: 'symbol', type: 'VARCHAR' }, { name: 'day', type: 'DATE' }, { name: 'open', type: 'DOUBLE' },
      { name: 'high', type: 'DOUBLE' }, { name: 'low', type: 'DOUBLE' }, { name: 'close', type: 'DOUBLE' },
      { name: 'volume', type: 'BIGINT' },
    ],
    rows,
  };
}

/** financials(symbol, fiscal_year, revenue, net_income, eps, pe_ratio, debt_to_equity); USD millions. */
export function financialsTable(companies: readonly Company[]): DemoTable {
  const rows: Cell[][] = [];
  for (const c of companies) {
    const rng = createRng(`financials/${c.symbol}`);
    let revenue = c.revenue2022;
    let de = Math.max(0.05, c.sector.debtToEquity * Math.exp(0.35 * rng.normal()));
    for (const year of FISCAL_YEARS) {
      const margin = c.margin + 0.015 * rng.normal();
      const netIncome = revenue * margin;
      const eps = netIncome / c.sharesM;
      // Loss-making years have no meaningful P/E: NULL, as data vendors report it.
      const pe = eps > 0 ? round(c.pe * Math.exp(0.12 * rng.normal()), 1) : null;
      rows.push([c.symbol, year, round(revenue, 1), round(netIncome, 1), round(eps, 2), pe, round(de, 2)]);
      revenue *= 1 + c.growth + 0.04 * rng.normal();
      de = Math.max(0.05, de * (1 + 0.08 * rng.normal()));
    }
  }
  return {
    name: 'financials',
    columns: [
      { name: 'symbol', type: 'VARCHAR' }, { name: 'fiscal_year', type: 'INTEGER' }, { name: 'revenue', type: 'DOUBLE' },
      { name: 'net_income', type: 'DOUBLE' }, { name: 'eps', type: 'DOUBLE' }, { name: 'pe_ratio', type: 'DOUBLE' },
      { name: 'debt_to_equity', type: 'DOUBLE' },
    ],
    rows,
  };
}

const FIRST_NAMES: readonly string[] = [
  'Alicia', 'Brendan', 'Carmen', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiroshi', 'Ingrid', 'Jamal', 'Katarina', 'Liam',
  'Mei', 'Nikhil', 'Olivia', 'Pedro', 'Rachel', 'Samuel', 'Tanya', 'Victor', 'Wen', 'Yusuf', 'Zoe', 'Marcus',
];
const LAST_NAMES: readonly string[] = [
  'Abbott', 'Brennan', 'Castillo', 'Dalton', 'Eriksen', 'Fischer', 'Gallagher', 'Hartmann', 'Ibrahim', 'Jensen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Quinn', 'Rossi', 'Sandoval', 'Thornton',
  'Usman', 'Vasquez', 'Whitfield', 'Yamada',
];
const ROLES: readonly string[] = ['CEO', 'CFO', 'COO', 'CTO', 'Director', 'General Counsel', 'EVP Sales', '10% Owner'];

/** insider_trades(symbol, trade_date, insider, role, side, shares, price): 0-6 per symbol, 2024-07..2025-03. */
export function insiderTradesTable(companies: readonly Company[], bars: ReadonlyMap<string, readonly Bar[]>): DemoTable {
  const window = weekdays('2024-07-01', 190);
  const rows: Cell[][] = [];
  for (const c of companies) {
    const rng = createRng(`insider/${c.symbol}`);
    const count = rng.int(0, 6);
    const priceByDay = new Map((bars.get(c.symbol) ?? []).map((b) => [b.day, b.close]));
    const insiders = Array.from({ length: 3 }, () => ({
      name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      role: rng.pick(ROLES),
    }));
    for (const day of rng.sample(window, count)) {
      const who = rng.pick(insiders);
      const side = rng.chance(0.35) ? 'BUY' : 'SELL';
      const shares = BigInt(rng.int(5, 2000) * 100);
      const ref = priceByDay.get(day) ?? c.startPrice * (1 + 0.06 * rng.normal());
      rows.push([c.symbol, day, who.name, who.role, side, shares, round(ref * (1 + 0.01 * rng.normal()), 2)]);
    }
  }
  return {
    name: 'insider_trades',
    columns: [
      { name: 'symbol', type: 'VARCHAR' }, { name: 'trade_date', type: 'DATE' }, { name: 'insider', type: 'VARCHAR' },
      { name: 'role', type: 'VARCHAR' }, { name: 'side', type: 'VARCHAR' }, { name: 'shares', type: 'BIGINT' },
      { name: 'price', type: 'DOUBLE' },
    ],
    rows,
  };
}
