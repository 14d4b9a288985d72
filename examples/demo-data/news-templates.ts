// Headline and body templates of the news table, one per story category. Each template
// writes a title and 4 candidate sentences; the polarity follows the stock's move that day.
import { round } from './prng.ts';
import type { Rng } from './prng.ts';

/** What a template may mention about the company and the trading day. */
export interface StoryContext {
  readonly name: string;
  readonly symbol: string;
  readonly sector: string;
  readonly close: number;
  /** Percent move of the close versus the previous close. */
  readonly movePct: number;
  /** Another company of the universe (partner, acquirer, rival). */
  readonly other: string;
}

export interface Story {
  readonly title: string;
  readonly sentences: readonly string[];
}

export type StoryTemplate = (rng: Rng, ctx: StoryContext) => Story;

const UP_DRIVERS = ['strong demand in its core segment', 'pricing discipline', 'lower input costs', 'a faster-than-expected product ramp', 'cost savings from last year\'s restructuring'];
const DOWN_DRIVERS = ['softer demand in Europe', 'higher input costs', 'inventory destocking by key customers', 'delayed customer orders', 'unfavourable currency moves'];
const PRODUCTS = ['platform', 'product line', 'service tier', 'flagship model', 'analytics suite', 'subscription offering'];
const BROKERS = ['Harlow Securities', 'Kingsbridge Capital Markets', 'Redfern & Co.', 'Alder Street Research', 'Maple Point Partners'];

function moveSentence(ctx: StoryContext): string {
  const dir = ctx.movePct >= 0 ? 'rose' : 'fell';
  return `Shares of ${ctx.symbol} ${dir} ${Math.abs(ctx.movePct).toFixed(1)}% to $${ctx.close.toFixed(2)} on the day.`;
}

const earnings: StoryTemplate = (rng, ctx) => {
  const up = ctx.movePct >= 0;
  const est = round(rng.float(0.3, 4), 2);
  const eps = round(est * (up ? rng.float(1.02, 1.2) : rng.float(0.8, 0.98)), 2);
  const growth = round(up ? rng.float(2, 18) : rng.float(-9, 3), 1);
  return {
    title: `${ctx.name} quarterly earnings ${up ? 'beat' : 'miss'} estimates${up ? ' on strong revenue' : ' as margins narrow'}`,
    sentences: [
      `${ctx.name} (${ctx.symbol}) reported quarterly earnings of $${eps.toFixed(2)} per share against a consensus estimate of $${est.toFixed(2)}.`,
      `Revenue ${growth >= 0 ? 'grew' : 'declined'} ${Math.abs(growth).toFixed(1)}% year over year, which management attributed to ${rng.pick(up ? UP_DRIVERS : DOWN_DRIVERS)}.`,
      `The company said it expects ${up ? 'continued momentum' : 'a gradual recovery'} in the ${ctx.sector.toLowerCase()} market through the rest of the year.`,
      moveSentence(ctx),
    ],
  };
};

const guidance: StoryTemplate = (rng, ctx) => {
  const up = ctx.movePct >= 0;
  const pct = rng.int(2, 9);
  return {
    title: `${ctx.name} ${up ? 'raises' : 'cuts'} full-year outlook`,
    sentences: [
      `${ctx.name} ${up ? 'raised' : 'lowered'} its full-year revenue guidance by about ${pct}%, citing ${rng.pick(up ? UP_DRIVERS : DOWN_DRIVERS)}.`,
      `Chief financial officer remarks on the call pointed to ${up ? 'a healthy order backlog' : 'caution among large customers'} for the coming quarters.`,
      `Analysts had expected ${up ? 'a more modest update' : 'guidance to be maintained'}.`,
      moveSentence(ctx),
    ],
  };
};

const product: StoryTemplate = (rng, ctx) => {
  const item = rng.pick(PRODUCTS);
  return {
    title: `${ctx.name} unveils new ${item} aimed at ${rng.pick(['enterprise customers', 'emerging markets', 'small businesses', 'younger consumers'])}`,
    sentences: [
      `${ctx.name} introduced a new ${item} at an investor event, its largest launch in ${rng.int(2, 6)} years.`,
      `The company expects the launch to contribute meaningfully to revenue from ${rng.pick(['the second half of the year', 'next fiscal year', 'the fourth quarter'])}.`,
      `Early reviews from industry analysts were ${ctx.movePct >= 0 ? 'broadly positive' : 'mixed, with questions about pricing'}.`,
      moveSentence(ctx),
    ],
  };
};

const lawsuit: StoryTemplate = (rng, ctx) => ({
  title: `${ctx.name} faces ${rng.pick(['class-action lawsuit', 'regulatory probe', 'patent infringement suit', 'antitrust inquiry'])}`,
  sentences: [
    `${ctx.name} disclosed that it is the subject of legal action related to ${rng.pick(['product disclosures', 'data privacy practices', 'a licensing dispute', 'past acquisition accounting'])}.`,
    `The company said it believes the claims are without merit and intends to defend itself vigorously.`,
    `Potential damages were not quantified, though one analyst estimated exposure of up to $${rng.int(20, 400)} million.`,
    moveSentence(ctx),
  ],
});

const analyst: StoryTemplate = (rng, ctx) => {
  const up = ctx.movePct >= 0;
  const target = round(ctx.close * (up ? rng.float(1.1, 1.35) : rng.float(0.7, 0.95)), 0);
  const broker = rng.pick(BROKERS);
  return {
    title: `${broker} ${up ? 'upgrades' : 'downgrades'} ${ctx.symbol} to ${up ? 'Buy' : 'Underperform'}`,
    sentences: [
      `${broker} ${up ? 'upgraded' : 'downgraded'} ${ctx.name} and set a price target of $${target.toFixed(0)}.`,
      `The analyst cited ${up ? 'an attractive valuation and improving margins' : 'stretched valuation and slowing growth'} in a note to clients.`,
      `Of the analysts covering the stock, ${rng.int(4, 14)} rate it a buy and ${rng.int(1, 8)} a hold.`,
      moveSentence(ctx),
    ],
  };
};

const merger: StoryTemplate = (rng, ctx) => {
  const buyer = ctx.movePct >= 0;
  const size = rng.int(3, 90) * 50;
  return {
    title: buyer ? `${ctx.name} agrees to acquire unit of ${ctx.other} for $${size} million` : `${ctx.name} explores sale of non-core division`,
    sentences: [
      buyer
        ? `${ctx.name} agreed to buy a business unit of ${ctx.other} in a cash deal valued at $${size} million.`
        : `${ctx.name} has hired advisers to explore a sale of a division valued at roughly $${size} million, according to people familiar with the matter.`,
      `The transaction is expected to close ${rng.pick(['by the end of the year', 'in the next two quarters', 'pending regulatory approval'])}.`,
      `Management said the move sharpens its focus on its core ${ctx.sector.toLowerCase()} business.`,
      moveSentence(ctx),
    ],
  };
};

const capital: StoryTemplate = (rng, ctx) => ({
  title: `${ctx.name} announces $${rng.int(2, 40) * 50} million share buyback`,
  sentences: [
    `The board of ${ctx.name} authorized a new share repurchase programme and ${rng.chance(0.5) ? 'raised the quarterly dividend' : 'kept the dividend unchanged'}.`,
    `The company said its balance sheet leaves room for both buybacks and continued investment.`,
    `Net debt stood at ${round(rng.float(0.2, 3), 1).toFixed(1)} times trailing earnings before interest, taxes, depreciation and amortization.`,
    moveSentence(ctx),
  ],
});

const executive: StoryTemplate = (rng, ctx) => {
  const role = rng.pick(['chief executive', 'chief financial officer', 'chief operating officer']);
  return {
    title: `${ctx.name} names new ${role}`,
    sentences: [
      `${ctx.name} appointed a new ${role}, effective ${rng.pick(['immediately', 'next month', 'at the start of the next quarter'])}.`,
      `The outgoing executive ${rng.pick(['is retiring after a decade in the role', 'left to pursue other opportunities', 'will remain as an adviser through the transition'])}.`,
      `Investors ${ctx.movePct >= 0 ? 'welcomed the appointment' : 'questioned the timing of the change'}.`,
      moveSentence(ctx),
    ],
  };
};

const partnership: StoryTemplate = (rng, ctx) => ({
  title: `${ctx.name} and ${ctx.other} sign ${rng.pick(['multi-year supply agreement', 'strategic partnership', 'joint development deal'])}`,
  sentences: [
    `${ctx.name} signed an agreement with ${ctx.other} covering ${rng.pick(['joint product development', 'distribution in Asia', 'long-term supply', 'shared research'])}.`,
    `Financial terms were not disclosed, but the companies expect the deal to be accretive within ${rng.pick(['a year', 'two years', 'three years'])}.`,
    `It is the ${rng.pick(['second', 'third', 'first'])} such partnership ${ctx.name} has announced this year.`,
    moveSentence(ctx),
  ],
});

const operations: StoryTemplate = (rng, ctx) => ({
  title: `${ctx.name} reports ${rng.pick(['supply chain disruption', 'plant outage', 'IT systems incident', 'shipping delays'])}`,
  sentences: [
    `${ctx.name} said an operational disruption would affect deliveries for about ${rng.int(1, 6)} weeks.`,
    `The company does not expect a material impact on full-year results but withdrew its near-term shipment forecast.`,
    `Competitors in the ${ctx.sector.toLowerCase()} sector could pick up some of the delayed orders.`,
    moveSentence(ctx),
  ],
});

/** Story categories; each symbol gets 6 distinct ones. */
export const STORY_TEMPLATES: readonly StoryTemplate[] = [
  earnings, guidance, product, lawsuit, analyst, merger, capital, executive, partnership, operations,
];
