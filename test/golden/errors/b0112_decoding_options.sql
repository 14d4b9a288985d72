-- max_tokens must be a whole number, and width is for IMAGE steps only.
CREATE WORKFLOW digest_decoding(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize: {{headlines}}' WITH (max_tokens 0.5, width 512)
) RETURN summary;
SELECT * FROM digest_decoding('AAPL');
