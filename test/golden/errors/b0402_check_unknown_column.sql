-- The CHECK names a column that is not returned (a typo of 'action').
CREATE WORKFLOW decide_check(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  decision := LLM qwen3_8b PROMPT 'Decide for {{symbol}}: {{facts}}'
                RETURNS (action VARCHAR CHECK (acton IN ('BUY', 'SELL', 'HOLD')), rationale VARCHAR)
) RETURN decision;
SELECT * FROM decide_check('AAPL');
