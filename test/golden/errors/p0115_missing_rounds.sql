-- A debate needs ROUNDS n.
CREATE WORKFLOW debate_norounds(symbol VARCHAR) AS (
  facts  := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  bull   := LLM qwen3_8b SYSTEM bull_researcher PROMPT '{{facts}}',
  bear   := LLM qwen3_8b SYSTEM bear_researcher PROMPT '{{facts}}',
  debate := DEBATE (bull, bear)
) RETURN debate;
