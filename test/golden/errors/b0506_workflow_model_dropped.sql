-- The model a stored workflow uses was dropped.
CREATE MODEL tmp_llm (KIND llm, ENDPOINT 'sim://', NAME 'Qwen/Qwen3-8B');
CREATE WORKFLOW digest_tmp(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM tmp_llm PROMPT 'Summarize: {{headlines}}'
) RETURN summary;
DROP MODEL tmp_llm;
SELECT * FROM digest_tmp('AAPL');
