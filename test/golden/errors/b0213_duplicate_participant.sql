-- The same participant twice.
CREATE WORKFLOW debate_twice(symbol VARCHAR) AS (
  facts  := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  bull   := LLM qwen3_8b SYSTEM bull_researcher PROMPT '{{facts}}',
  bear   := LLM qwen3_8b SYSTEM bear_researcher PROMPT '{{facts}}',
  debate := DEBATE (bull, bear, bull) ROUNDS 2
) RETURN debate;
SELECT * FROM debate_twice('AAPL');
