-- A CHECK must be a condition, not a value.
CREATE WORKFLOW decide_checktype(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  decision := LLM qwen3_8b PROMPT 'Decide for {{symbol}}: {{facts}}'
                RETURNS (action VARCHAR, confidence DOUBLE CHECK (confidence * 100))
) RETURN decision;
SELECT * FROM decide_checktype('AAPL');
