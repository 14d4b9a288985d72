-- A placeholder must be a name.
CREATE WORKFLOW digest_badslot(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize {{ 1x }} for {{symbol}}: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_badslot('AAPL');
