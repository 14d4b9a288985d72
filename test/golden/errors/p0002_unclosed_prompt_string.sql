-- A prompt whose closing quote was forgotten.
CREATE WORKFLOW digest_unclosed(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b PROMPT 'Summarize these headlines:\n{{headlines}}
) RETURN summary;
