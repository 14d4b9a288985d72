-- action is returned twice.
CREATE WORKFLOW decide_dupcol(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  decision := LLM qwen3_8b PROMPT 'Decide for {{facts}}'
                RETURNS (action VARCHAR, rationale VARCHAR, action VARCHAR)
) RETURN decision;
SELECT * FROM decide_dupcol('AAPL');
