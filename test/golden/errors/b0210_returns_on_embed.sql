-- An EMBED step returns a vector; RETURNS is for LLM and VLM steps.
CREATE WORKFLOW embed_returns(symbol VARCHAR) AS (
  headlines := SQL (SELECT title FROM news WHERE symbol = :symbol),
  vectors   := EMBED e5 FOR EACH ROW OF headlines PROMPT '{{title}}' RETURNS (v FLOAT[])
) RETURN vectors;
SELECT * FROM embed_returns('AAPL');
