-- A debate of one participant (that is also a SQL step).
CREATE WORKFLOW debate_one(symbol VARCHAR) AS (
  facts  := SQL (SELECT * FROM financials WHERE symbol = :symbol),
  debate := DEBATE (facts) ROUNDS 2
) RETURN debate;
SELECT * FROM debate_one('AAPL');
