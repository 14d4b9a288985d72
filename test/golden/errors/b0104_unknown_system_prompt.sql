-- SYSTEM names a stored prompt that does not exist.
CREATE WORKFLOW digest_system(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b SYSTEM news_analist PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_system('AAPL');
