// The simulator's vocabulary: common words that are one o200k token each with a leading space,
// so generated text has about one token per word.

/** Words simulated outputs are made of. */
export const words: readonly string[] = (
  'the market outlook is strong and revenue growth remains steady while margins improve across ' +
  'core segments as demand from large customers holds up despite higher rates in several regions ' +
  'we expect the company to report solid results for the quarter with cash flow ahead of plan ' +
  'management said costs were under control but risks include competition pricing pressure and ' +
  'supply issues that could weigh on profit next year investors should watch the balance sheet ' +
  'debt levels and guidance for signs of change in trend data shows a clear pattern of gains over ' +
  'time although the chart also points to some weakness in recent weeks overall the picture is ' +
  'positive for long term holders who can accept short term volatility patient analysis suggests ' +
  'value remains in this name relative to peers given its position product pipeline and team'
).split(' ');
