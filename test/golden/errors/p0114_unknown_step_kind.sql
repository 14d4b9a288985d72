-- LLMM is a typo for LLM.
CREATE WORKFLOW digest_kind(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLMM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
