-- '=' instead of ':=' after a step name.
CREATE WORKFLOW digest_assign(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary = LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
