-- temperature is 0 to 2 (a percentage was meant).
CREATE WORKFLOW digest_temp(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}' WITH (temperature 70)
) RETURN summary;
SELECT * FROM digest_temp('AAPL');
