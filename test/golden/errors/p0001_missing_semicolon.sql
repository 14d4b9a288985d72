-- The ';' after RETURN is missing, so the next statement runs into it.
CREATE WORKFLOW digest_semi(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary
SELECT * FROM digest_semi('AAPL');
