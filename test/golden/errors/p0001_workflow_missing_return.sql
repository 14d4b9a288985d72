-- RETURN step is missing.
CREATE WORKFLOW digest_noreturn(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
);
