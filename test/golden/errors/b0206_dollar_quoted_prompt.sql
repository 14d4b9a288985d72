-- Placeholders in a dollar-quoted prompt are checked too.
CREATE WORKFLOW digest_dollar(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT $$Summarize the news of {{symbl}}:
{{headlines}}$$
) RETURN summary;
SELECT * FROM digest_dollar('AAPL');
