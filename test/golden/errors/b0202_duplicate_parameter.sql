-- The same parameter twice.
CREATE WORKFLOW digest_dupparam(symbol VARCHAR, since DATE, symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol AND day >= :since),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_dupparam('AAPL', DATE '2025-01-01');
