-- The SYSTEM text is missing its closing quote; the error appears at the next string instead.
CREATE WORKFLOW digest_unclosed_sys(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  summary   := LLM qwen3_8b SYSTEM 'You are a news analyst.
                            PROMPT 'Summarize these headlines:\n{{headlines}}'
) RETURN summary;
SELECT * FROM digest_unclosed_sys('AAPL');
