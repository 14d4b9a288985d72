-- A workflow step names a model that does not exist (a near name does).
CREATE WORKFLOW digest_model(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8 PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_model('AAPL');
