-- '{{headlines}' is missing a closing brace.
CREATE WORKFLOW digest_openslot(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize for {{symbol}}: {{headlines}'
) RETURN summary;
SELECT * FROM digest_openslot('AAPL');
