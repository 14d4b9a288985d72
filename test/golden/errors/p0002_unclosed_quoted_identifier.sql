-- A quoted workflow name without its closing quote.
CREATE WORKFLOW "digest quoted(symbol VARCHAR) AS (
  summary := LLM qwen3_8b PROMPT 'Summarize the news of {{symbol}}'
) RETURN summary;
