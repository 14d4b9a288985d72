-- PROMT is a typo for PROMPT.
CREATE WORKFLOW digest_promt(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b SYSTEM news_analyst PROMT 'Summarize: {{headlines}}'
) RETURN summary;
