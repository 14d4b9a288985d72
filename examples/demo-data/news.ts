// news(id, symbol, day, title, body, chart_key): exactly 6 stories per symbol on distinct
// trading days; story k links to the chart object charts/<SYMBOL>/<k>.png of its price window.
import { createRng } from './prng.ts';
import { STORY_TEMPLATES } from './news-templates.ts';
import type { Bar } from './market.ts';
import type { Cell, DemoTable } from './table.ts';
import type { Company } from './symbols.ts';

export const NEWS_PER_SYMBOL = 6;
/** Trading days shown by each chart (the window ends on the story's day). */
export const CHART_WINDOW = 20;

/** A story's place in the price series: which bars its chart shows. */
export interface NewsItem {
  readonly symbol: string;
  readonly k: number;
  readonly dayIndex: number;
  readonly chartKey: string;
}

/** The object key of chart k of a symbol. */
export function chartKey(symbol: string, k: number): string {
  return `charts/${symbol}/${k}.png`;
}

/** Builds the news table and the list of charts to render for it. */
export function generateNews(
  companies: readonly Company[],
  bars: ReadonlyMap<string, readonly Bar[]>,
): { table: DemoTable; items: NewsItem[] } {
  const rows: Cell[][] = [];
  const items: NewsItem[] = [];
  companies.forEach((c, ci) => {
    const rng = createRng(`news/${c.symbol}`);
    const series = bars.get(c.symbol) ?? [];
    const dayIdx = rng.sample(series.map((_, i) => i).slice(CHART_WINDOW - 1), NEWS_PER_SYMBOL);
    const templates = rng.shuffle(rng.sample(STORY_TEMPLATES, NEWS_PER_SYMBOL));
    for (let k = 0; k < NEWS_PER_SYMBOL; k++) {
      const di = dayIdx[k] ?? 0;
      const bar = series[di];
      const prev = series[di - 1];
      if (bar === undefined || prev === undefined) throw new RangeError(`no bars for ${c.symbol}`);
      const template = templates[k];
      if (template === undefined) throw new RangeError('no story template');
      const other = companies[(ci + rng.int(1, companies.length - 1)) % companies.length]?.name ?? c.name;
      const movePct = (bar.close / prev.close - 1) * 100;
      const story = template(rng, { name: c.name, symbol: c.symbol, sector: c.sector.name, close: bar.close, movePct, other });
      const [s1, s2, s3, s4] = story.sentences;
      const body = [s1, s2, rng.chance(0.5) ? s3 : undefined, rng.chance(0.7) ? s4 : undefined]
        .filter((s): s is string => s !== undefined)
        .join(' ');
      const key = chartKey(c.symbol, k);
      rows.push([BigInt(ci * NEWS_PER_SYMBOL + k + 1), c.symbol, bar.day, story.title, body, key]);
      items.push({ symbol: c.symbol, k, dayIndex: di, chartKey: key });
    }
  });
  return {
    table: {
      name: 'news',
      columns: [
        { name: 'id', type: 'BIGINT' }, { name: 'symbol', type: 'VARCHAR' }, { name: 'day', type: 'DATE' },
        { name: 'title', type: 'VARCHAR' }, { name: 'body', type: 'VARCHAR' }, { name: 'chart_key', type: 'VARCHAR' },
      ],
      rows,
    },
    items,
  };
}
