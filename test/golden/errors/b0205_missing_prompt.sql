-- An LLM step with a SYSTEM prompt but no PROMPT.
CREATE WORKFLOW digest_noprompt(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b SYSTEM news_analyst
) RETURN summary;
SELECT * FROM digest_noprompt('AAPL');
