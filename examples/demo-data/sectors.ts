// Sector definitions of the fake equity universe: name suffixes and the financial profile
// (typical margin, P/E, daily volatility, leverage) that shapes each company's numbers.

export interface Sector {
  readonly name: string;
  readonly suffixes: readonly string[];
  /** Typical net margin (fraction of revenue). */
  readonly margin: number;
  /** Typical trailing P/E. */
  readonly pe: number;
  /** Typical daily return volatility. */
  readonly vol: number;
  /** Typical debt-to-equity ratio. */
  readonly debtToEquity: number;
}

export const SECTORS: readonly Sector[] = [
  { name: 'Technology', suffixes: ['Systems', 'Software', 'Semiconductor', 'Networks', 'Micro', 'Data'], margin: 0.18, pe: 30, vol: 0.022, debtToEquity: 0.5 },
  { name: 'Health Care', suffixes: ['Therapeutics', 'Biosciences', 'Health', 'Medical', 'Pharma', 'Diagnostics'], margin: 0.12, pe: 24, vol: 0.02, debtToEquity: 0.7 },
  { name: 'Financials', suffixes: ['Financial', 'Bancorp', 'Capital', 'Insurance', 'Trust'], margin: 0.2, pe: 13, vol: 0.014, debtToEquity: 2.2 },
  { name: 'Energy', suffixes: ['Energy', 'Petroleum', 'Resources', 'Renewables'], margin: 0.1, pe: 11, vol: 0.02, debtToEquity: 0.6 },
  { name: 'Consumer Discretionary', suffixes: ['Brands', 'Retail', 'Motors', 'Apparel', 'Leisure'], margin: 0.07, pe: 22, vol: 0.019, debtToEquity: 1.1 },
  { name: 'Consumer Staples', suffixes: ['Foods', 'Beverages', 'Household', 'Grocers'], margin: 0.08, pe: 20, vol: 0.01, debtToEquity: 0.9 },
  { name: 'Industrials', suffixes: ['Industries', 'Aerospace', 'Logistics', 'Machinery', 'Rail'], margin: 0.09, pe: 19, vol: 0.015, debtToEquity: 0.9 },
  { name: 'Materials', suffixes: ['Materials', 'Chemicals', 'Mining', 'Steel', 'Packaging'], margin: 0.09, pe: 15, vol: 0.018, debtToEquity: 0.6 },
  { name: 'Utilities', suffixes: ['Utilities', 'Power', 'Water', 'Electric'], margin: 0.11, pe: 17, vol: 0.009, debtToEquity: 1.5 },
  { name: 'Real Estate', suffixes: ['Realty', 'Properties', 'Residential'], margin: 0.22, pe: 28, vol: 0.013, debtToEquity: 1.3 },
  { name: 'Communication Services', suffixes: ['Media', 'Telecom', 'Interactive', 'Broadcasting'], margin: 0.13, pe: 18, vol: 0.017, debtToEquity: 1.0 },
];

/** The sector named `name` (every company refers to one of SECTORS). */
export function sectorByName(name: string): Sector {
  const sector = SECTORS.find((s) => s.name === name);
  if (sector === undefined) throw new RangeError(`unknown sector '${name}'`);
  return sector;
}
