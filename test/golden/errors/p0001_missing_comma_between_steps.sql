-- The comma after the first step is missing.
CREATE WORKFLOW digest_comma(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol)
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
