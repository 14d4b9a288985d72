-- A participant that runs once per row cannot take part in a debate.
CREATE WORKFLOW debate_fanout(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  bull      := LLM qwen3_8b FOR EACH ROW OF headlines SYSTEM bull_researcher PROMPT '{{title}}',
  bear      := LLM qwen3_8b SYSTEM bear_researcher PROMPT '{{headlines}}',
  debate    := DEBATE (bull, bear) ROUNDS 2
) RETURN debate;
SELECT * FROM debate_fanout('AAPL');
