-- RETURN names a step that does not exist.
CREATE WORKFLOW digest_return(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN sumary;
SELECT * FROM digest_return('AAPL');
