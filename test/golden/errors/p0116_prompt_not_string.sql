-- PROMPT takes a quoted text, not a step name.
CREATE WORKFLOW digest_bare(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT headlines
) RETURN summary;
