-- A returned column needs a type.
CREATE WORKFLOW decide_notype(symbol VARCHAR) AS (
  facts    := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  decision := LLM qwen3_8b PROMPT 'Decide for {{facts}}' RETURNS (action VARCHAR, rationale)
) RETURN decision;
