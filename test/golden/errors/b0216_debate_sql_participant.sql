-- A debate participant must be an LLM step, not the SQL step with the data.
CREATE WORKFLOW debate_sql(symbol VARCHAR) AS (
  facts  := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  bull   := LLM qwen3_8b SYSTEM bull_researcher PROMPT '{{facts}}',
  debate := DEBATE (bull, facts) ROUNDS 2
) RETURN debate;
SELECT * FROM debate_sql('AAPL');
