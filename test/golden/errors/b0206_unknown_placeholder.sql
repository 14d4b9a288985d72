-- {{headline}} is not a step or a parameter ({{headlines}} is).
CREATE WORKFLOW digest_slot(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize the news of {{symbol}}:\n{{headline}}'
) RETURN summary;
SELECT * FROM digest_slot('AAPL');
