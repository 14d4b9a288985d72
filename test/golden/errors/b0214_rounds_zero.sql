-- ROUNDS must be at least 1.
CREATE WORKFLOW debate_zero(symbol VARCHAR) AS (
  facts  := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  bull   := LLM qwen3_8b SYSTEM bull_researcher PROMPT '{{facts}}',
  bear   := LLM qwen3_8b SYSTEM bear_researcher PROMPT '{{facts}}',
  debate := DEBATE (bull, bear) ROUNDS 0
) RETURN debate;
SELECT * FROM debate_zero('AAPL');
