-- A comma is missing in the CHECK list.
CREATE WORKFLOW decide_checksyntax(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  decision := LLM qwen3_8b PROMPT 'Decide for {{facts}}'
                RETURNS (action VARCHAR CHECK (action IN ('BUY', 'SELL' 'HOLD')), rationale VARCHAR)
) RETURN decision;
SELECT * FROM decide_checksyntax('AAPL');
