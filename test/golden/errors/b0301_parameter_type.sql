-- VARCHR is not a type.
CREATE WORKFLOW digest_ptype(symbol VARCHR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_ptype('AAPL');
