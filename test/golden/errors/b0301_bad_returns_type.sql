-- VARCHR is not a type.
CREATE WORKFLOW decide_type(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  decision := LLM qwen3_8b PROMPT 'Decide for {{symbol}}: {{facts}}'
                RETURNS (action VARCHR, rationale VARCHAR)
) RETURN decision;
SELECT * FROM decide_type('AAPL');
