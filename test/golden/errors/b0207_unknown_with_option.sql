-- temprature is a typo for temperature.
CREATE WORKFLOW digest_with(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}' WITH (temprature 0.7, max_tokens 256)
) RETURN summary;
SELECT * FROM digest_with('AAPL');
