-- A step cannot share its name with a parameter.
CREATE WORKFLOW digest_shadow(symbol VARCHAR) AS (
  symbol  := SQL (SELECT * FROM symbols WHERE symbol = :symbol),
  summary := LLM qwen3_8b PROMPT 'Describe: {{symbol}}'
) RETURN summary;
SELECT * FROM digest_shadow('AAPL');
