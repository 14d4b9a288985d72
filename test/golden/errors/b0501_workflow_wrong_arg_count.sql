-- The workflow takes one argument; two are given.
CREATE WORKFLOW digest_args(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
SELECT s.symbol, d.text
FROM symbols s, digest_args(s.symbol, s.name) d;
