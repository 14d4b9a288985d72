-- Two steps with the same name.
CREATE WORKFLOW digest_dupstep(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}',
  summary   := LLM qwen3_32b PROMPT 'Shorten: {{headlines}}'
) RETURN summary;
SELECT * FROM digest_dupstep('AAPL');
