-- A bad CREATE WORKFLOW as the last statement is bound (and rejected) by explain too.
CREATE WORKFLOW digest_lastcreate(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headline}}'
) RETURN summary;
