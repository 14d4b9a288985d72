-- A step that uses its own output.
CREATE WORKFLOW digest_self(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Improve this summary: {{summary}}'
) RETURN summary;
SELECT * FROM digest_self('AAPL');
