-- bare is a typo for bear.
CREATE WORKFLOW debate_unknown(symbol VARCHAR) AS (
  facts  := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  bull   := LLM qwen3_8b SYSTEM bull_researcher PROMPT '{{facts}}',
  bear   := LLM qwen3_8b SYSTEM bear_researcher PROMPT '{{facts}}',
  debate := DEBATE (bull, bare) ROUNDS 2
) RETURN debate;
SELECT * FROM debate_unknown('AAPL');
