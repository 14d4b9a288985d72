-- temperature takes a number.
CREATE WORKFLOW digest_hot(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}' WITH (temperature 'hot')
) RETURN summary;
SELECT * FROM digest_hot('AAPL');
