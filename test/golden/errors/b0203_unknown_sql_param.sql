-- :ticker is not a parameter of the workflow.
CREATE WORKFLOW digest_param(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :ticker ORDER BY day DESC LIMIT 5),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_param('AAPL');
